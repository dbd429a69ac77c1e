// Benchmark: the Cinder API gateway against a simulated pod: volume show through the gateway vs
// straight to the pod's Cinder, latency (interleaved, p50/p99) and closed-loop throughput.
//
//   node dist/bench/cinder-gateway.js [--samples 1000] [--duration 5] [--concurrency 16] [--log-level warn]
//
// Three processes as in nova-gateway.ts: the simulated cloud (nova-sim-proc), the gateway
// (nova-gateway-proc with NOVA_BENCH_ONLY=admin-api,cinder-apigw) and this one, the load generator.
// Runs from dist/ (`npm run build` first). Prints one JSON object.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gatewayBenchKit, simulatorOf } from './gateway-kit.js';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const SAMPLES = Number(args.samples);
const DURATION_S = Number(args.duration);
const CONCURRENCY = Number(args.concurrency);
const { call, closedLoopGets, interleavedLatency, token, cpuMs, pct, fmt, closePools } = gatewayBenchKit(Math.max(CONCURRENCY, 64));
const here = join(process.cwd(), 'dist', 'bench');

type SimInfo = { keystoneUrl: string; pods: { region: string; az: string; cinderUrl: string }[] };

async function main(): Promise<void> {
  const sim = fork(join(here, 'nova-sim-proc.js'), [], { env: { ...process.env, NOVA_BENCH_PODS: '1' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { info, simCall } = await simulatorOf<SimInfo>(sim);
  const dir = mkdtempSync(join(tmpdir(), 'cinder-bench-'));
  const overrides = {
    DEFAULT: { auth_strategy: 'keystone', log_level: args['log-level'] },
    database: { connection: process.env.TRICIRCLE_BENCH_POSTGRES_URL ?? `sqlite:///${join(dir, 'tricircle.sqlite')}` },
    admin_api: { bind_host: '127.0.0.1', bind_port: 0 },
    cinder_apigw: { bind_host: '127.0.0.1', bind_port: 0 },
    keystone_authtoken: { auth_url: `${info.keystoneUrl}/v3` },
    client: { auth_url: `${info.keystoneUrl}/v3`, admin_username: 'admin', admin_password: 'password', admin_tenant: 'admin' },
  };
  const gateway = fork(join(here, 'nova-gateway-proc.js'), [], {
    env: { ...process.env, NOVA_BENCH_OVERRIDES: JSON.stringify(overrides), NOVA_BENCH_ONLY: 'admin-api,cinder-apigw' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const urls = await new Promise<Record<string, string>>((resolve, reject) => {
      gateway.once('message', (m: { urls: Record<string, string> }) => resolve(m.urls));
      gateway.once('exit', (code) => reject(new Error(`gateway process exited (${code})`)));
    });
    const gw = urls['cinder-apigw'];
    const adminApi = urls['admin-api'];
    for (const iface of ['public', 'internal', 'admin'] as const) {
      for (const [serviceType, serviceName] of [
        ['volumev3', 'cinderv3'],
        ['block-storage', 'cinder'],
      ]) {
        await simCall('addEndpoint', { endpoint: { region: 'RegionOne', serviceType, serviceName, interface: iface, url: `${gw}/v3/$(project_id)s` } });
      }
    }
    const admin = await token(info.keystoneUrl, 'admin');
    const demo = await token(info.keystoneUrl, 'demo');
    const demoProject = (await simCall('projectIdByName', { name: 'demo' })) as string;
    const adminProject = (await simCall('projectIdByName', { name: 'admin' })) as string;
    await call(`${adminApi}/v1.0/pods`, admin, 'POST', { pod: { region_name: 'RegionOne' } });
    const pod = info.pods[0];
    await call(`${adminApi}/v1.0/pods`, admin, 'POST', { pod: { region_name: pod.region, az_name: pod.az, pod_az_name: pod.az } });
    await call(`${gw}/v3/${adminProject}/os-quota-sets/${demoProject}`, admin, 'PUT', { quota_set: { volumes: 1000, gigabytes: 100000 } });
    const made = await call(`${gw}/v3/${demoProject}/volumes`, demo, 'POST', { volume: { size: 1, name: 'bench' } });
    if (made.status !== 202) throw new Error(`volume create failed: ${made.status} ${JSON.stringify(made.json)}`);
    const volumeId = made.json.volume.id as string;
    const proxied = `${gw}/v3/${demoProject}/volumes/${volumeId}`;
    const direct = `${pod.cinderUrl}/v3/${demoProject}/volumes/${volumeId}`;
    for (let i = 0; i < 100 && (await call(proxied, demo)).json?.volume?.status !== 'available'; i++) await new Promise((r) => setTimeout(r, 50));

    const { direct: ds, proxied: gs } = await interleavedLatency(direct, proxied, demo, SAMPLES);

    const closedLoop = async (url: string): Promise<{ rps: number; gatewayCpuUs: number }> => {
      const g0 = cpuMs(gateway.pid!);
      const n = await closedLoopGets(url, demo, CONCURRENCY, DURATION_S);
      return { rps: n / DURATION_S, gatewayCpuUs: Math.round(((cpuMs(gateway.pid!) - g0) * 1000) / n) };
    };
    await closedLoop(proxied);
    const rounds: { direct: number; gateway: number }[] = [];
    let gatewayCpuUs = 0;
    for (let r = 0; r < 2; r++) {
      const dl = await closedLoop(direct);
      const gl = await closedLoop(proxied);
      gatewayCpuUs = gl.gatewayCpuUs;
      rounds.push({ direct: dl.rps, gateway: gl.rps });
    }
    const rpsDirect = rounds.reduce((a, r) => a + r.direct, 0) / rounds.length;
    const rpsGw = rounds.reduce((a, r) => a + r.gateway, 0) / rounds.length;
    console.log(
      JSON.stringify(
        {
          machine: `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}`,
          latency: {
            direct: { p50: fmt(pct(ds, 50)), p99: fmt(pct(ds, 99)) },
            gateway: { p50: fmt(pct(gs, 50)), p99: fmt(pct(gs, 99)) },
            added: { p50: fmt(pct(gs, 50) - pct(ds, 50)), p99: fmt(pct(gs, 99) - pct(ds, 99)) },
          },
          throughput: {
            direct: Math.round(rpsDirect),
            gateway: Math.round(rpsGw),
            ratio: (rpsGw / rpsDirect).toFixed(2),
            concurrency: CONCURRENCY,
            gatewayCpuUsPerShow: gatewayCpuUs,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    gateway.send({ stop: true });
    await new Promise((r) => gateway.once('exit', r));
    await simCall('stop').catch(() => undefined);
    await closePools();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
