// The simulator's dataplane: each pod's Neutron state realised as Linux networking in network
// namespaces (VMs, pod bridges, a provider switch joining the pods, routers with NAT and security
// groups in nftables, a host outside the cloud), following every change. Opt-in; needs root,
// iproute2 and nftables. Everything lives in namespaces named with the run's prefix and is removed
// on close; a start removes what dead runs left.
import { runScript } from './host.js';
import { Names, newRunPrefix } from './names.js';
import { Reconciler, type DataplaneStatus } from './reconciler.js';
import { removeRun, removeRunSync, sweepLeftovers } from './sweep.js';
import type { PodState } from './topology.js';

export interface DataplaneOptions {
  /** Namespace name prefix of this run (default: `tcdp-<pid>-<random>-`). */
  prefix?: string;
  /** The outside host's client address (default 203.0.113.1). */
  clientAddress?: string;
  log?: (line: string) => void;
}

export interface Dataplane {
  readonly prefix: string;
  /** Brings the machine in line with the pods now; resolves with the status after. */
  sync(): Promise<DataplaneStatus>;
  status(): DataplaneStatus;
  /** Stops following the pods and removes everything of this run. */
  close(): Promise<void>;
}

/** Why the dataplane cannot run here, or undefined when it can (root, iproute2, nftables, bridges, veths). */
export async function dataplaneUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'the dataplane needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the dataplane needs root (network namespaces, bridges, nftables)';
  const tools = await runScript('command -v ip >/dev/null || echo "iproute2 (ip) is not installed"; command -v nft >/dev/null || echo "nftables (nft) is not installed"');
  if (tools.stdout.trim()) return tools.stdout.trim().split('\n').join('; ');
  const probe = `${newRunPrefix()}probe`;
  const res = await runScript(
    [
      'set -e',
      `ip netns add ${probe}`,
      `trap 'ip netns del ${probe} 2>/dev/null' EXIT`,
      `ip -n ${probe} link add br-probe type bridge`,
      `ip -n ${probe} link add v-probe type veth peer name w-probe`,
      `ip -n ${probe} link set v-probe master br-probe`,
      `printf 'table ip tricircle_probe {\\n chain c {\\n  type nat hook postrouting priority srcnat;\\n  ct status dnat accept\\n }\\n}\\n' | ip netns exec ${probe} nft -f -`,
    ].join('\n'),
  );
  if (res.code !== 0) return `network namespaces, bridges, veths or nftables NAT are not usable here: ${res.stderr.trim().split('\n')[0]}`;
  return undefined;
}

/**
 * Starts realising the pods (each with its Neutron state) and follows their changes. Removes the
 * leftovers of dead runs first; resolves once the first pass converged.
 */
export async function startDataplane(pods: PodState[], opts: DataplaneOptions = {}): Promise<Dataplane> {
  const reason = await dataplaneUnavailable();
  if (reason) throw new Error(reason);
  const swept = await sweepLeftovers();
  if (swept.length) opts.log?.(`dataplane: removed ${swept.length} namespace(s) left by stopped runs`);
  const names = new Names(opts.prefix ?? newRunPrefix());
  const reconciler = new Reconciler({ names, pods: () => pods, clientAddress: opts.clientAddress, log: opts.log });
  const unsubscribe = pods.map((p) => p.state.onChange(() => reconciler.schedule()));
  const onExit = () => removeRunSync(names.prefix);
  process.on('exit', onExit);
  let closed = false;
  const dataplane: Dataplane = {
    prefix: names.prefix,
    sync: () => reconciler.sync(),
    status: () => reconciler.status(),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const u of unsubscribe) u();
      await reconciler.stop();
      await removeRun(names.prefix);
      process.off('exit', onExit);
    },
  };
  try {
    await reconciler.sync();
  } catch (err) {
    await dataplane.close();
    throw err;
  }
  return dataplane;
}

export { sweepLeftovers } from './sweep.js';
export { DEFAULT_CLIENT_ADDRESS, type PodState } from './topology.js';
export type { DataplaneStatus } from './reconciler.js';
export type { OutsideView, RouterView, TopologyView, VmView } from './spec.js';
