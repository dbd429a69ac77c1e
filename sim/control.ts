import type { FastifyInstance } from 'fastify';
import { parseFaultPatch } from './common/faults.js';
import type { Dataplane } from './dataplane/index.js';
import { SimServiceError, type SimFaults } from './types.js';

/** What the control plane needs from a running cluster. */
export interface SimControlTarget {
  state(): unknown;
  faultsOf(region: string): SimFaults | undefined;
  setFaults(region: string, patch: Partial<SimFaults>): Promise<void>;
  /** The dataplane, when the cluster runs one. */
  dataplane?(): Dataplane | undefined;
}

/**
 * The simulator's test control plane, served on the Keystone app under /sim/ (outside Keystone's
 * namespace, no token, never subject to fault injection):
 *   GET /sim/state                         cluster URLs and every pod's faults
 *   GET /sim/pods/{region}/faults          one pod's faults
 *   PUT /sim/pods/{region}/faults          change some of latencyMs, errorRate, down, hangMs, createAnswerDelayMs
 *   GET /sim/dataplane                     the dataplane's status: namespaces, VMs, routers, outside host
 *   POST /sim/dataplane/sync               brings the dataplane in line with the pods, then the status
 * (the dataplane routes answer 404 when the simulator runs without `--dataplane`)
 */
export function controlRoutes(app: FastifyInstance, target: SimControlTarget): void {
  const faultsOf = (region: string): SimFaults => {
    const faults = target.faultsOf(region);
    if (!faults) throw new SimServiceError(404, `No simulated pod in region ${region}`);
    return faults;
  };
  const dataplane = (): Dataplane => {
    const d = target.dataplane?.();
    if (!d) throw new SimServiceError(404, 'The simulator runs without a dataplane (start it with --dataplane)');
    return d;
  };
  app.get('/sim/state', async () => target.state());
  app.get('/sim/dataplane', async () => ({ dataplane: dataplane().status() }));
  app.post('/sim/dataplane/sync', async () => ({ dataplane: await dataplane().sync() }));
  app.get<{ Params: { region: string } }>('/sim/pods/:region/faults', async (req) => ({ faults: { ...faultsOf(req.params.region) } }));
  app.put<{ Params: { region: string } }>('/sim/pods/:region/faults', async (req) => {
    faultsOf(req.params.region);
    await target.setFaults(req.params.region, parseFaultPatch(req.body));
    return { faults: { ...faultsOf(req.params.region) } };
  });
}
