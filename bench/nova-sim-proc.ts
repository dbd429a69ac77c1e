// The simulated cloud (Keystone, Glance, N pods) in its own process for bench/nova-gateway.ts, so
// the load generator, the pods and the gateway each have their own event loop. Commands over IPC.
import { startSimCluster, type SimCluster } from '../sim/cluster.js';

const pods = Number(process.env.NOVA_BENCH_PODS ?? '1');
const cluster: SimCluster = await startSimCluster({
  pods: Array.from({ length: pods }, (_, i) => ({ region: `Pod${String(i + 1).padStart(2, '0')}`, az: `az${i + 1}` })),
  top: { region: 'RegionOne', endpoints: {} },
  buildDelayMs: 0,
  tokenTtlSeconds: 3600,
});

type Command =
  | { id: number; op: 'addEndpoint'; endpoint: Parameters<SimCluster['keystone']['addEndpoint']>[0] }
  | { id: number; op: 'setFaults'; region: string; faults: Record<string, unknown> }
  | { id: number; op: 'projectIdByName'; name: string }
  | { id: number; op: 'stop' };

process.on('message', async (cmd: Command) => {
  try {
    let result: unknown;
    if (cmd.op === 'addEndpoint') cluster.keystone.addEndpoint(cmd.endpoint);
    else if (cmd.op === 'setFaults') await cluster.setFaults(cmd.region, cmd.faults);
    else if (cmd.op === 'projectIdByName') result = cluster.keystone.projectIdByName(cmd.name);
    else if (cmd.op === 'stop') {
      await cluster.close();
      process.send?.({ id: cmd.id, result: true });
      process.exit(0);
    }
    process.send?.({ id: cmd.id, result });
  } catch (err) {
    process.send?.({ id: cmd.id, error: String(err) });
  }
});
process.send?.({
  ready: {
    keystoneUrl: cluster.keystoneUrl,
    glanceUrl: cluster.glanceUrl,
    pods: cluster.pods.map((p) => ({ region: p.region, az: p.az, novaUrl: p.novaUrl, cinderUrl: p.cinderUrl })),
  },
});
