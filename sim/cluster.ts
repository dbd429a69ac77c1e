import { SimListener } from './common/listener.js';
import { controlRoutes } from './control.js';
import { startDataplane, type Dataplane, type DataplaneOptions } from './dataplane/index.js';
import { createGlanceSim, type SimGlance } from './glance/index.js';
import { createKeystoneSim, type SimKeystone } from './keystone/index.js';
import { SimPod } from './pod.js';
import type { SimFaults } from './types.js';

export type TopServiceType = 'compute' | 'volumev3' | 'block-storage' | 'network' | 'tricircle';

export interface SimClusterOptions {
  /** Address every service binds (default 127.0.0.1). */
  host?: string;
  /**
   * The bottom pods; `physicalNetworks` are the physical networks a pod's ML2 knows (undefined: any),
   * so a pod can be configured without the ones Tricircle needs.
   */
  pods: { region: string; az: string; physicalNetworks?: string[] }[];
  tokenTtlSeconds?: number;
  /** The top region (Tricircle itself): its catalog entries point at Tricircle's own ports. */
  top?: { region: string; endpoints: Partial<Record<TopServiceType, string>> };
  buildDelayMs?: number;
  /** Initial faults per pod region. */
  faults?: Record<string, Partial<SimFaults>>;
  /**
   * One Glance per pod (its catalog `image` entry) instead of the shared one, as separate clouds have;
   * the shared Glance then serves only the top region. Each pod's Glance starts with its own cirros
   * image (another id than the top's). Default false: one Glance for every region.
   */
  glancePerPod?: boolean;
  /** Fixed ports for the shared services (default 0: ephemeral). */
  keystonePort?: number;
  glancePort?: number;
  /** Realise the pods' networking in network namespaces (needs root, iproute2, nftables). */
  dataplane?: boolean | DataplaneOptions;
}

export interface SimClusterPod {
  region: string;
  az: string;
  /** Service roots (http://host:port); the catalog adds /v2.1 and /v3/$(project_id)s. */
  novaUrl: string;
  cinderUrl: string;
  neutronUrl: string;
  /** The Glance of the pod's catalog: its own with `glancePerPod`, else the shared one. */
  glanceUrl: string;
  /** The pod's live fault settings (shared by its three services); change `down` through setFaults. */
  faults: SimFaults;
}

export interface SimCluster {
  keystoneUrl: string;
  glanceUrl: string;
  pods: SimClusterPod[];
  keystone: SimKeystone;
  glance: SimGlance;
  /** Present when started with `dataplane`. */
  dataplane?: Dataplane;
  setFaults(region: string, patch: Partial<SimFaults>): Promise<void>;
  close(): Promise<void>;
}

const SERVICE_NAMES: Record<string, string> = {
  identity: 'keystone',
  image: 'glance',
  compute: 'nova',
  volumev3: 'cinderv3',
  'block-storage': 'cinder',
  network: 'neutron',
  tricircle: 'tricircle',
};

const INTERFACES = ['public', 'internal', 'admin'] as const;

/**
 * Starts a simulated multi-region cloud: one Keystone and one Glance shared by all regions (or a
 * Glance per pod), and per pod a Nova, Cinder and Neutron, all on their own ports, with the catalog
 * registered.
 * The control plane (sim/control.ts) is mounted on the Keystone app.
 */
export async function startSimCluster(opts: SimClusterOptions): Promise<SimCluster> {
  const host = opts.host ?? '127.0.0.1';
  const regions = new Set<string>();
  for (const p of opts.pods) {
    if (regions.has(p.region)) throw new Error(`duplicate pod region ${p.region}`);
    regions.add(p.region);
  }
  if (opts.top && regions.has(opts.top.region)) throw new Error(`top region ${opts.top.region} is also a pod region`);

  let keystoneListener: SimListener | undefined;
  let glanceListener: SimListener | undefined;
  const keystone = createKeystoneSim({ publicUrl: () => keystoneListener!.url, tokenTtlSeconds: opts.tokenTtlSeconds });
  const glance = createGlanceSim({
    keystone: keystone.validator,
    publicUrl: () => glanceListener!.url,
    keystoneUrl: () => keystoneListener!.url,
    seedOwner: keystone.projectIdByName('admin'),
  });
  keystoneListener = new SimListener(keystone.app, host);
  glanceListener = new SimListener(glance.app, host);
  const podGlance = opts.glancePerPod ? { own: { keystoneUrl: () => keystoneListener!.url, seedOwner: keystone.projectIdByName('admin') } } : glance.api;
  const pods = opts.pods.map((p) => new SimPod(p.region, p.az, { ...p, host, keystone: keystone.validator, glance: podGlance, buildDelayMs: opts.buildDelayMs }));
  const podOf = (region: string) => pods.find((p) => p.region === region);

  const setFaults = async (region: string, patch: Partial<SimFaults>) => {
    const pod = podOf(region);
    if (!pod) throw new Error(`no simulated pod in region ${region}`);
    await pod.setFaults(patch);
  };
  let dataplane: Dataplane | undefined;
  const close = async () => {
    await dataplane?.close();
    await Promise.all(pods.map((p) => p.close()));
    await Promise.all([keystoneListener!.stop(), glanceListener!.stop()]);
    await Promise.all([keystone.app.close(), glance.app.close()]);
  };
  const state = () => ({
    keystoneUrl: keystoneListener!.url,
    glanceUrl: glanceListener!.url,
    pods: pods.map((p) => p.info()),
    dataplane: dataplane ? { prefix: dataplane.prefix } : null,
  });
  controlRoutes(keystone.app, { state, faultsOf: (r) => podOf(r)?.faults, setFaults, dataplane: () => dataplane });

  try {
    if (opts.dataplane) {
      const podStates = pods.map((p, index) => ({ index, region: p.region, state: p.network.state }));
      dataplane = await startDataplane(podStates, opts.dataplane === true ? {} : opts.dataplane);
    }
    await keystoneListener.start(opts.keystonePort ?? 0);
    await glanceListener.start(opts.glancePort ?? 0);
    await Promise.all(pods.map((p) => p.start()));
  } catch (err) {
    await close();
    throw err;
  }

  const register = (region: string, type: string, url: string) => {
    for (const iface of INTERFACES) keystone.addEndpoint({ region, serviceType: type, serviceName: SERVICE_NAMES[type] ?? type, interface: iface, url });
  };
  if (opts.top) {
    register(opts.top.region, 'identity', `${keystoneListener!.url}/v3`);
    register(opts.top.region, 'image', glanceListener!.url);
    for (const [type, url] of Object.entries(opts.top.endpoints)) if (url) register(opts.top.region, type, url);
  }
  for (const pod of pods) {
    register(pod.region, 'identity', `${keystoneListener!.url}/v3`);
    register(pod.region, 'image', pod.glance?.url ?? glanceListener!.url);
    register(pod.region, 'compute', `${pod.nova.url}/v2.1`);
    register(pod.region, 'volumev3', `${pod.cinder.url}/v3/$(project_id)s`);
    register(pod.region, 'block-storage', `${pod.cinder.url}/v3/$(project_id)s`);
    register(pod.region, 'network', pod.neutron.url);
  }

  for (const [region, patch] of Object.entries(opts.faults ?? {})) await setFaults(region, patch);

  return {
    keystoneUrl: keystoneListener.url,
    glanceUrl: glanceListener.url,
    pods: pods.map((p) => ({
      region: p.region,
      az: p.az,
      novaUrl: p.nova.url,
      cinderUrl: p.cinder.url,
      neutronUrl: p.neutron.url,
      glanceUrl: p.glance?.url ?? glanceListener!.url,
      faults: p.faults,
    })),
    keystone,
    glance,
    ...(dataplane && { dataplane }),
    setFaults,
    close,
  };
}
