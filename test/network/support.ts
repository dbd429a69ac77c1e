import { createScratchDatabase, type DialectName, type ScratchDatabase } from '../support/databases.js';
import { http, type HttpResult } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import type { RunningTricircle } from '../../src/server.js';

/** Callers, as noauth headers. */
export const ADMIN = { 'x-user-id': 'admin', 'x-project-id': 'admin', 'x-roles': 'admin' };
export const ALICE = { 'x-user-id': 'alice', 'x-project-id': 'p-alice', 'x-roles': 'member' };
export const BOB = { 'x-user-id': 'bob', 'x-project-id': 'p-bob', 'x-roles': 'member' };

export type Caller = Record<string, string>;

export interface NeutronHarness {
  tc: RunningTricircle;
  base: string;
  call<T = any>(method: string, path: string, body?: unknown, who?: Caller): Promise<HttpResult<T>>;
  /** Registers the top pod and bottom pods (region → AZ) through the Admin API. */
  addPods(pods: Record<string, string>): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** A Tricircle with the Admin API and the top Neutron on a fresh database of `dialect`. */
export async function startNeutron(dialect: DialectName, extra: Record<string, Record<string, unknown>> = {}): Promise<NeutronHarness> {
  const scratch: ScratchDatabase = await createScratchDatabase(dialect);
  // No pods answer here: external networks stay at the top (their copies are tested in test/l3/external.test.ts).
  const tc = await startTestTricircle({
    databaseUrl: scratch.url,
    only: ['admin-api', 'neutron-api'],
    extra: { ...extra, tricircle: { external_network_copy_at_create: false, ...(extra.tricircle ?? {}) } },
  });
  const base = tc.urls['neutron-api']!;
  const admin = tc.urls['admin-api']!;
  return {
    tc,
    base,
    call: (method, path, body, who = ADMIN) => http(method, `${base}${path}`, { body, headers: who }),
    async addPods(pods) {
      const ids: Record<string, string> = {};
      const top = await http('POST', `${admin}/v1.0/pods`, { body: { pod: { region_name: 'RegionOne' } }, headers: ADMIN });
      if (top.status === 200) ids.RegionOne = top.body.pod.pod_id;
      for (const [region, az] of Object.entries(pods)) {
        const res = await http('POST', `${admin}/v1.0/pods`, { body: { pod: { region_name: region, az_name: az } }, headers: ADMIN });
        if (res.status !== 200) throw new Error(`pod ${region}: ${res.status} ${res.text}`);
        ids[region] = res.body.pod.pod_id;
      }
      return ids;
    },
    async close() {
      await tc.close();
      await scratch.drop();
    },
  };
}

/** Asserts a NeutronError body and returns it. */
export function neutronError(res: HttpResult, status: number, type?: string): { type: string; message: string; detail: string } {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  const err = res.body?.NeutronError;
  if (!err || typeof err.message !== 'string' || typeof err.type !== 'string' || !('detail' in err)) throw new Error(`not a NeutronError body: ${res.text}`);
  if (type !== undefined && err.type !== type) throw new Error(`expected NeutronError type ${type}, got ${err.type}: ${err.message}`);
  return err;
}
