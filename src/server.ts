import type { FastifyInstance } from 'fastify';
import { createServiceApp } from './common/http.js';
import type { Logger } from './common/logging.js';
import { Metrics } from './common/metrics.js';
import type { Config } from './config/index.js';
import { migrateToLatest, openDatabase, ping, schemaVersion, type Db } from './db/index.js';
import { buildIdentity, type Identity } from './identity/setup.js';
import { PolicyEnforcer } from './policy/index.js';
import { PodBindings, PodRegistry, SqlEndpointStore } from './pods/index.js';
import { RoutingTable } from './routing/index.js';
import { isPublicAdminPath, registerAdminApi } from './admin/index.js';

export const SERVICE_NAMES = ['admin-api'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface RunningTricircle {
  db: Db;
  /** Base URL of each started service. */
  urls: Partial<Record<ServiceName, string>>;
  apps: Partial<Record<ServiceName, FastifyInstance>>;
  close(): Promise<void>;
}

function listenerOf(config: Config, service: ServiceName) {
  const listeners: Record<ServiceName, Config['admin_api']> = { 'admin-api': config.admin_api };
  return listeners[service];
}

function publicUrl(listener: { bind_host: string; bind_port: number; public_url: string }, port: number): string {
  if (listener.public_url) return listener.public_url.replace(/\/+$/, '');
  const host = listener.bind_host === '0.0.0.0' || listener.bind_host === '::' ? '127.0.0.1' : listener.bind_host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Starts the requested services (all by default) in this process, sharing one database handle,
 * identity layer, policy and metrics registry.
 */
export async function startTricircle(config: Config, opts: { logger: Logger; only?: ServiceName[] }): Promise<RunningTricircle> {
  const { logger } = opts;
  const db = openDatabase(config.database.connection, { maxPoolSize: config.database.max_pool_size });
  const apps: RunningTricircle['apps'] = {};
  const urls: RunningTricircle['urls'] = {};
  let identity: Identity | undefined;
  try {
    if (config.database.auto_migrate) {
      const applied = await migrateToLatest(db);
      if (applied.length > 0) logger.info({ applied }, 'database schema migrated');
    } else {
      const version = await schemaVersion(db);
      if (version.pending.length > 0) throw new Error(`database schema is behind (pending: ${version.pending.join(', ')}); run \`tricircle db sync\``);
    }
    const policy = new PolicyEnforcer({ policyFile: config.DEFAULT.policy_file || undefined });
    const pods = new PodRegistry(db);
    const endpoints = new SqlEndpointStore(db);
    identity = buildIdentity(config, { logger, endpointStore: endpoints });
    const metrics = new Metrics();
    const services = opts.only ?? [...SERVICE_NAMES];

    for (const service of services) {
      const listener = listenerOf(config, service);
      const app = createServiceApp({
        service,
        faultStyle: 'compute',
        logger,
        metrics,
        bodyLimit: config.DEFAULT.max_request_body_size,
        authenticate: identity.authenticate,
        isPublic: isPublicAdminPath,
        ready: () => ping(db),
      });
      apps[service] = app;
      const adminServices = {
        pods,
        bindings: new PodBindings(db, pods),
        routings: new RoutingTable(db),
        endpoints,
        policy,
        publicUrl: '',
      };
      registerAdminApi(app, adminServices);
      await app.listen({ host: listener.bind_host, port: listener.bind_port });
      const url = publicUrl(listener, (app.server.address() as { port: number }).port);
      adminServices.publicUrl = url;
      urls[service] = url;
      logger.info({ service, url }, 'service listening');
    }
  } catch (err) {
    await Promise.allSettled(Object.values(apps).map((a) => a.close()));
    await identity?.close();
    await db.close();
    throw err;
  }
  return {
    db,
    urls,
    apps,
    async close() {
      await Promise.allSettled(Object.values(apps).map((a) => a.close()));
      await identity?.close();
      await db.close();
    },
  };
}
