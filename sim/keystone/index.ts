import type { FastifyInstance } from 'fastify';
import { createSimApp, newFaults } from '../common/http.js';
import type { SimFaults, SimTokenValidator } from '../types.js';
import { CatalogStore, type EndpointInterface } from './catalog.js';
import { IdentityStore } from './identity.js';
import { authRoutes } from './routes/auth.js';
import { catalogRoutes } from './routes/catalog.js';
import { identityRoutes } from './routes/identity.js';
import { versionRoutes } from './routes/version.js';
import { TokenStore } from './tokens.js';
import { KeystoneViews } from './views.js';

export interface SimKeystoneOptions {
  tokenTtlSeconds?: number;
  faults?: SimFaults;
  /** Base URL of the app once listening (http://127.0.0.1:PORT); /v3 lives under it. */
  publicUrl: () => string;
  /** Password of every seeded user (default 'password'). */
  password?: string;
}

export interface SimKeystone {
  app: FastifyInstance;
  /** Validates tokens for the other simulated services; only project-scoped tokens pass. */
  validator: SimTokenValidator;
  /** Registers a region (idempotent) and an endpoint; returns the endpoint id. */
  addEndpoint(e: { region: string; serviceType: string; serviceName: string; interface: EndpointInterface; url: string }): string;
  /** Drops all endpoints of a service type in a region (so callers can re-point them). */
  removeEndpoints(region: string, serviceType: string): void;
  /** Id of a project by name (domain `default` unless given), for seeding other services. */
  projectIdByName(name: string, domainId?: string): string | undefined;
}

/** Paths the simulator's control plane owns on the Keystone app (see sim/control.ts). */
export const SIM_CONTROL_PREFIX = '/sim/';

const PUBLIC_PATHS = new Set(['/', '/v3', '/v3/']);

/**
 * A simulated Keystone v3 (Zed): users admin and demo (password `opts.password`), projects admin,
 * demo and service in domain Default; admin holds role admin on admin, demo and domain Default,
 * demo holds role member on demo.
 */
export function createKeystoneSim(opts: SimKeystoneOptions): SimKeystone {
  const identity = new IdentityStore(opts.password ?? 'password');
  const catalog = new CatalogStore();
  const tokens = new TokenStore(identity, catalog, opts.tokenTtlSeconds ?? 3600);
  const views = new KeystoneViews(opts.publicUrl);

  const anyToken: SimTokenValidator = {
    validate(token) {
      const t = tokens.lookup(token);
      return t && tokens.toCaller(t);
    },
  };
  const app = createSimApp({
    style: 'keystone',
    faults: opts.faults ?? newFaults(),
    validator: anyToken,
    isPublic: (method, path) => PUBLIC_PATHS.has(path) || path.startsWith(SIM_CONTROL_PREFIX) || (method === 'POST' && path === '/v3/auth/tokens'),
    isFaultFree: (path) => path.startsWith(SIM_CONTROL_PREFIX),
    authUri: opts.publicUrl,
  });
  const ctx = { identity, catalog, tokens, views };
  versionRoutes(app, opts.publicUrl);
  authRoutes(app, ctx);
  catalogRoutes(app, ctx);
  identityRoutes(app, ctx);

  return {
    app,
    validator: {
      validate(token) {
        const t = tokens.lookup(token);
        return t && t.scope.kind === 'project' ? tokens.toCaller(t) : undefined;
      },
    },
    addEndpoint(e) {
      catalog.ensureRegion(e.region);
      const service = catalog.ensureService(e.serviceType, e.serviceName);
      return catalog.addEndpoint({ serviceId: service.id, regionId: e.region, interface: e.interface, url: e.url, enabled: true }).id;
    },
    removeEndpoints(region, serviceType) {
      catalog.removeEndpoints(region, serviceType);
    },
    projectIdByName(name, domainId = 'default') {
      return identity.projectByName(name, domainId)?.id;
    },
  };
}

/**
 * A standalone simulated Keystone listening on loopback, with its own identity endpoint
 * registered in RegionOne as a fresh devstack has.
 */
export async function startKeystoneSim(
  opts: { host?: string; port?: number; tokenTtlSeconds?: number } = {},
): Promise<{ url: string; keystone: SimKeystone; close(): Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  let url = '';
  const keystone = createKeystoneSim({ publicUrl: () => url, tokenTtlSeconds: opts.tokenTtlSeconds });
  await keystone.app.listen({ host, port: opts.port ?? 0 });
  const address = keystone.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('keystone sim: no TCP address');
  url = `http://${host}:${address.port}`;
  for (const iface of ['public', 'internal', 'admin'] as const) {
    keystone.addEndpoint({ region: 'RegionOne', serviceType: 'identity', serviceName: 'keystone', interface: iface, url: `${url}/v3` });
  }
  return { url, keystone, close: () => keystone.app.close() };
}
