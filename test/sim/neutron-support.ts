// Test support for the simulated Neutron: a fixed-token Keystone stand-in (an admin and two
// projects) and a Neutron listening on a loopback port.
import { newFaults } from '../../sim/common/http.js';
import { createNeutronSim } from '../../sim/neutron/index.js';
import type { SimCaller, SimFaults, SimNeutronApi, SimTokenValidator } from '../../sim/types.js';
import { http, type HttpResult } from '../support/http.js';

export const PROJECT = {
  admin: '0a0a0a0a0a0a4a0a8a0a0a0a0a0a0a0a',
  alice: '1b1b1b1b1b1b4b1b8b1b1b1b1b1b1b1b',
  bob: '2c2c2c2c2c2c4c2c8c2c2c2c2c2c2c2c',
};

export const TOKEN = { admin: 'tok-admin', alice: 'tok-alice', bob: 'tok-bob' } as const;
export type Who = keyof typeof TOKEN;

function caller(token: string, name: Who, isAdmin: boolean): SimCaller {
  return {
    token,
    userId: `user-${name}`,
    userName: name,
    projectId: PROJECT[name],
    projectName: name,
    domainId: 'default',
    roles: isAdmin ? ['admin', 'member', 'reader'] : ['member', 'reader'],
    isAdmin,
    expiresAt: new Date(Date.now() + 3600_000),
  };
}

/** Fixed tokens: tok-admin (admin of project admin), tok-alice and tok-bob (members of their projects). */
export function fakeKeystone(): SimTokenValidator {
  const callers = new Map<string, SimCaller>([
    [TOKEN.admin, caller(TOKEN.admin, 'admin', true)],
    [TOKEN.alice, caller(TOKEN.alice, 'alice', false)],
    [TOKEN.bob, caller(TOKEN.bob, 'bob', false)],
  ]);
  return { validate: (token) => callers.get(token) };
}

export interface NeutronUnderTest {
  url: string;
  api: SimNeutronApi;
  faults: SimFaults;
  /** Calls the API as `who` (a path under the root, e.g. /v2.0/networks). */
  call<T = any>(who: Who | null, method: string, path: string, body?: unknown, raw?: string): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

export async function startNeutron(opts: { az?: string; availabilityZones?: string[] } = {}): Promise<NeutronUnderTest> {
  let url = '';
  const faults = newFaults();
  const { app, api } = createNeutronSim({
    region: 'RegionOne',
    faults,
    keystone: fakeKeystone(),
    publicUrl: () => url,
    az: opts.az,
    availabilityZones: opts.availabilityZones,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    api,
    faults,
    call: (who, method, path, body, raw) =>
      http(method, `${url}${path}`, {
        body,
        raw,
        token: who ? TOKEN[who] : undefined,
        headers: raw !== undefined ? { 'content-type': 'application/json' } : undefined,
      }),
    close: () => app.close(),
  };
}

/** Asserts a Neutron error body and returns it. */
export function neutronError(res: HttpResult): { type: string; message: string; detail: string } {
  const err = (res.body as { NeutronError?: { type: string; message: string; detail: string } })?.NeutronError;
  if (!err) throw new Error(`not a NeutronError body (HTTP ${res.status}): ${res.text}`);
  return err;
}
