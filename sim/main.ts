#!/usr/bin/env node
// Entry point of the pod simulator: `node dist/sim/main.js --pods Pod1:az1,Pod2:az2 ...`.
// Prints one line of JSON on stdout when ready; everything else goes to stderr.
import { Command, InvalidArgumentError } from 'commander';
import { startSimCluster, type SimClusterOptions, type TopServiceType } from './cluster.js';
import { sweepLeftovers } from './dataplane/index.js';
import type { SimFaults } from './types.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').filter(Boolean)];
}

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

function parsePods(value: string): { region: string; az: string }[] {
  return value.split(',').map((item) => {
    const [region, az, ...rest] = item.split(':');
    if (!region || !az || rest.length) throw new InvalidArgumentError(`expected REGION:AZ, got '${item}'`);
    return { region, az };
  });
}

/** `Pod1=50` pairs into per-region fault settings. */
function addFaults(into: Record<string, Partial<SimFaults>>, pairs: string[], key: 'latencyMs' | 'errorRate' | 'hangMs', max: number): void {
  for (const pair of pairs) {
    const [region, raw] = pair.split('=');
    const value = Number(raw);
    if (!region || raw === undefined || !Number.isFinite(value) || value < 0 || value > max) {
      throw new InvalidArgumentError(`expected REGION=NUMBER (0..${max}), got '${pair}'`);
    }
    (into[region] ??= {})[key] = value;
  }
}

async function main(): Promise<void> {
  const program = new Command()
    .name('tricircle-sim')
    .description('Simulated OpenStack pods (Keystone, Glance, and per pod Nova, Cinder, Neutron) for tests and the demo')
    .option('--pods <list>', 'pods as REGION:AZ,REGION:AZ (required unless --dataplane-sweep)', parsePods)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--keystone-port <port>', 'Keystone port (default: ephemeral)', nonNegativeInt)
    .option('--glance-port <port>', 'Glance port (default: ephemeral)', nonNegativeInt)
    .option('--top-region <name>', 'region name of the top (Tricircle)', 'RegionOne')
    .option('--top-compute <url>', 'top compute endpoint (Nova API gateway)')
    .option('--top-volume <url>', 'top volumev3/block-storage endpoint (Cinder API gateway)')
    .option('--top-network <url>', 'top network endpoint (Tricircle Neutron)')
    .option('--top-tricircle <url>', 'Tricircle admin API endpoint')
    .option('--latency <region=ms>', 'added latency per request (repeatable)', collect, [])
    .option('--error-rate <region=p>', 'probability 0..1 of answering 500 (repeatable)', collect, [])
    .option('--down <region>', 'pod starts down: connections refused (repeatable)', collect, [])
    .option('--hang <region=ms>', 'requests hang this long (repeatable)', collect, [])
    .option('--glance-per-pod', 'give every pod a Glance of its own (the shared Glance then serves only the top region)')
    .option('--physnets <region=physnet>', "a physical network the pod's ML2 knows (repeatable; a pod named here refuses provider networks on any other)", collect, [])
    .option('--token-ttl <seconds>', 'token lifetime', nonNegativeInt)
    .option('--build-delay-ms <ms>', 'time servers and volumes spend building', nonNegativeInt)
    .option('--dataplane', "realise the pods' networking in network namespaces (root, iproute2, nftables)")
    .option('--dataplane-sweep', 'remove the namespaces left by dataplanes of stopped simulators, then exit')
    .parse();
  const o = program.opts<{
    pods?: { region: string; az: string }[];
    host: string;
    keystonePort?: number;
    glancePort?: number;
    topRegion: string;
    topCompute?: string;
    topVolume?: string;
    topNetwork?: string;
    topTricircle?: string;
    latency: string[];
    errorRate: string[];
    down: string[];
    hang: string[];
    glancePerPod?: boolean;
    physnets: string[];
    tokenTtl?: number;
    buildDelayMs?: number;
    dataplane?: boolean;
    dataplaneSweep?: boolean;
  }>();

  if (o.dataplaneSweep) {
    const removed = await sweepLeftovers();
    process.stdout.write(`${JSON.stringify({ removed })}\n`);
    return;
  }
  const podList = o.pods ?? program.error("error: required option '--pods <list>' not specified");

  const faults: Record<string, Partial<SimFaults>> = {};
  try {
    addFaults(faults, o.latency, 'latencyMs', Number.MAX_SAFE_INTEGER);
    addFaults(faults, o.errorRate, 'errorRate', 1);
    addFaults(faults, o.hang, 'hangMs', Number.MAX_SAFE_INTEGER);
  } catch (err) {
    program.error(`error: ${(err as Error).message}`);
  }
  for (const region of o.down) (faults[region] ??= {}).down = true;
  const known = new Set(podList.map((p) => p.region));
  for (const region of Object.keys(faults)) if (!known.has(region)) program.error(`error: fault for unknown pod region '${region}'`);

  const physnets = new Map<string, string[]>();
  for (const pair of o.physnets) {
    const [region, physnet, ...rest] = pair.split('=');
    if (!region || !physnet || rest.length) program.error(`error: expected REGION=PHYSNET, got '${pair}'`);
    if (!known.has(region)) program.error(`error: physnets for unknown pod region '${region}'`);
    physnets.set(region, [...(physnets.get(region) ?? []), physnet]);
  }

  const topEndpoints: Partial<Record<TopServiceType, string>> = {};
  if (o.topCompute) topEndpoints.compute = o.topCompute;
  if (o.topVolume) topEndpoints.volumev3 = topEndpoints['block-storage'] = o.topVolume;
  if (o.topNetwork) topEndpoints.network = o.topNetwork;
  if (o.topTricircle) topEndpoints.tricircle = o.topTricircle;

  const opts: SimClusterOptions = {
    host: o.host,
    pods: podList.map((p) => (physnets.has(p.region) ? { ...p, physicalNetworks: physnets.get(p.region) } : p)),
    top: { region: o.topRegion, endpoints: topEndpoints },
    faults,
    ...(o.keystonePort !== undefined && { keystonePort: o.keystonePort }),
    ...(o.glancePort !== undefined && { glancePort: o.glancePort }),
    ...(o.glancePerPod && { glancePerPod: true }),
    ...(o.tokenTtl !== undefined && { tokenTtlSeconds: o.tokenTtl }),
    ...(o.buildDelayMs !== undefined && { buildDelayMs: o.buildDelayMs }),
    ...(o.dataplane && { dataplane: { log: (line: string) => process.stderr.write(`tricircle-sim: ${line}\n`) } }),
  };
  const cluster = await startSimCluster(opts);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`tricircle-sim: ${signal}, stopping\n`);
    cluster.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`tricircle-sim: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const ready = {
    ready: true,
    keystoneUrl: cluster.keystoneUrl,
    glanceUrl: cluster.glanceUrl,
    // A pod's own Glance is named only when it has one; otherwise every pod uses `glanceUrl`.
    pods: cluster.pods.map(({ region, az, novaUrl, cinderUrl, neutronUrl, glanceUrl }) => ({
      region,
      az,
      novaUrl,
      cinderUrl,
      neutronUrl,
      ...(o.glancePerPod ? { glanceUrl } : {}),
    })),
    ...(cluster.dataplane && { dataplane: { prefix: cluster.dataplane.prefix, controlUrl: `${cluster.keystoneUrl}/sim/dataplane` } }),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.stderr.write(`tricircle-sim: ready, keystone ${cluster.keystoneUrl}/v3, control ${cluster.keystoneUrl}/sim/state\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`tricircle-sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
