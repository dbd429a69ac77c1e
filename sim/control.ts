import type { FastifyInstance } from 'fastify';
import { parseFaultPatch } from './common/faults.js';
import { SimServiceError, type SimFaults } from './types.js';

/** What the control plane needs from a running cluster. */
export interface SimControlTarget {
  state(): unknown;
  faultsOf(region: string): SimFaults | undefined;
  setFaults(region: string, patch: Partial<SimFaults>): Promise<void>;
}

/**
 * The simulator's test control plane, served on the Keystone app under /sim/ (outside Keystone's
 * namespace, no token, never subject to fault injection):
 *   GET /sim/state                         cluster URLs and every pod's faults
 *   GET /sim/pods/{region}/faults          one pod's faults
 *   PUT /sim/pods/{region}/faults          change some of latencyMs, errorRate, down, hangMs
 */
export function controlRoutes(app: FastifyInstance, target: SimControlTarget): void {
  const faultsOf = (region: string): SimFaults => {
    const faults = target.faultsOf(region);
    if (!faults) throw new SimServiceError(404, `No simulated pod in region ${region}`);
    return faults;
  };
  app.get('/sim/state', async () => target.state());
  app.get<{ Params: { region: string } }>('/sim/pods/:region/faults', async (req) => ({ faults: { ...faultsOf(req.params.region) } }));
  app.put<{ Params: { region: string } }>('/sim/pods/:region/faults', async (req) => {
    faultsOf(req.params.region);
    await target.setFaults(req.params.region, parseFaultPatch(req.body));
    return { faults: { ...faultsOf(req.params.region) } };
  });
}
