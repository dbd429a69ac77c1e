// Benchmark: the Nova API gateway against simulated pods.
//
//   node --import tsx bench/nova-gateway.ts [--samples 3000] [--duration 5] [--concurrency 16]
//        [--pods 10] [--servers 100] [--list-runs 40] [--rate 1000] [--rss-seconds 10] [--rss-services admin-api,nova-apigw] [--log-level warn]
//        [--pod-latency 20] [--compiled] [--gateway-node-options '--max-semi-space-size=4']
//
// --compiled runs the gateway from the tsc output (dist/, `npm run build` first) instead of through
// tsx, as `npm start` does: the RSS figure then excludes the TypeScript loader.
// Three processes, each with its own event loop: the simulated cloud (bench/nova-sim-proc.ts:
// Keystone, Glance, every pod), the gateway (bench/nova-gateway-proc.ts, whose RSS is read), and this
// one, the load generator. Measured:
//  1. server show: latency through the gateway vs straight to the pod, interleaved in one run (p50, p99);
//  2. server show throughput (closed loop, `--concurrency` connections): proxied vs direct;
//  3. servers/detail?limit=100 merged over `--pods` pods (each holding `--servers` servers) vs the
//     slowest pod alone, first as the simulator answers (in-memory, every pod sharing this process's
//     one event loop), then with `--pod-latency` ms added to every pod's answers and twice that to one;
//  4. boots per second, `--boots` servers at concurrency 10 without a network (2.37 `networks: none`):
//     through the gateway vs straight to the pod, in alternating batches of 10;
//  5. the gateway's RSS while serving server shows at `--rate` requests/s for `--rss-seconds`, in a fresh process running `--rss-services`.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gatewayBenchKit, simulatorOf } from './gateway-kit.js';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '3000' },
    duration: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    pods: { type: 'string', default: '10' },
    servers: { type: 'string', default: '100' },
    'list-runs': { type: 'string', default: '40' },
    rate: { type: 'string', default: '1000' },
    'rss-seconds': { type: 'string', default: '10' },
    // The services of the gateway process whose RSS is read (the earlier phases need the Admin API too).
    'rss-services': { type: 'string', default: 'admin-api,nova-apigw' },
    'log-level': { type: 'string', default: 'warn' },
    'pod-latency': { type: 'string', default: '20' },
    compiled: { type: 'boolean', default: false },
    'gateway-node-options': { type: 'string', default: '' },
    boots: { type: 'string', default: '200' },
  },
});
const SAMPLES = Number(args.samples);
const DURATION_S = Number(args.duration);
const CONCURRENCY = Number(args.concurrency);
const PODS = Number(args.pods);
const SERVERS = Number(args.servers);
const LIST_RUNS = Number(args['list-runs']);
const RATE = Number(args.rate);
const RSS_SECONDS = Number(args['rss-seconds']);
const POD_LATENCY = Number(args['pod-latency']);
const BOOTS = Number(args.boots);

const { pool, call, timedGet, closedLoopGets, interleavedLatency, token, cpuMs, rssMb, pct, fmt, sorted, closePools } = gatewayBenchKit(Math.max(CONCURRENCY, 64));

async function main(): Promise<void> {
  const simEntry = args.compiled ? join(process.cwd(), 'dist', 'bench', 'nova-sim-proc.js') : new URL('./nova-sim-proc.ts', import.meta.url).pathname;
  const sim = fork(simEntry, [], {
    execArgv: args.compiled ? [] : ['--import', 'tsx'],
    env: { ...process.env, NOVA_BENCH_PODS: String(PODS) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  type SimInfo = { keystoneUrl: string; glanceUrl: string; pods: { region: string; az: string; novaUrl: string }[] };
  const { info, simCall } = await simulatorOf<SimInfo>(sim);
  const cluster = {
    ...info,
    keystone: {
      addEndpoint: (endpoint: Record<string, unknown>) => void simCall('addEndpoint', { endpoint }),
      projectIdByName: (name: string) => simCall('projectIdByName', { name }) as Promise<string>,
    },
    setFaults: (region: string, faults: Record<string, unknown>) => simCall('setFaults', { region, faults }),
    close: () => simCall('stop'),
  };
  const podSpecs = info.pods;
  const dir = mkdtempSync(join(tmpdir(), 'nova-bench-'));
  const overrides = {
    DEFAULT: { auth_strategy: 'keystone', log_level: args['log-level'] },
    database: { connection: process.env.TRICIRCLE_BENCH_POSTGRES_URL ?? `sqlite:///${join(dir, 'tricircle.sqlite')}` },
    admin_api: { bind_host: '127.0.0.1', bind_port: 0 },
    nova_apigw: { bind_host: '127.0.0.1', bind_port: 0, list_pod_timeout: 10 },
    keystone_authtoken: { auth_url: `${cluster.keystoneUrl}/v3` },
    client: { auth_url: `${cluster.keystoneUrl}/v3`, admin_username: 'admin', admin_password: 'password', admin_tenant: 'admin' },
  };
  const entry = args.compiled ? join(process.cwd(), 'dist', 'bench', 'nova-gateway-proc.js') : new URL('./nova-gateway-proc.ts', import.meta.url).pathname;
  const startGateway = async (services = 'admin-api,nova-apigw') => {
    const proc = fork(entry, [], {
      execArgv: [
        ...(args.compiled ? [] : ['--import', 'tsx']),
        ...String(args['gateway-node-options']).split(' ').filter(Boolean),
        ...(process.env.NOVA_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.NOVA_BENCH_PROFILE}`] : []),
      ],
      env: { ...process.env, NOVA_BENCH_OVERRIDES: JSON.stringify(overrides), NOVA_BENCH_ONLY: services },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const started = await new Promise<Record<string, string>>((resolve, reject) => {
      proc.once('message', (m: { urls: Record<string, string> }) => resolve(m.urls));
      proc.once('exit', (code) => reject(new Error(`gateway process exited (${code})`)));
    });
    return { proc, urls: started };
  };
  const stopGateway = async (proc: ReturnType<typeof fork>) => {
    proc.send({ stop: true });
    await new Promise((r) => proc.once('exit', r));
  };
  let { proc: child, urls } = await startGateway();
  let gw = urls['nova-apigw'];
  const adminApi = urls['admin-api'];
  try {
    for (const iface of ['public', 'internal', 'admin'] as const) {
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: iface, url: `${gw}/v2.1` });
    }
    const admin = await token(cluster.keystoneUrl, 'admin');
    const demo = await token(cluster.keystoneUrl, 'demo');
    const demoProject = await cluster.keystone.projectIdByName('demo');
    await call(`${adminApi}/v1.0/pods`, admin, 'POST', { pod: { region_name: 'RegionOne' } });
    const podIds: string[] = [];
    for (const p of podSpecs) {
      const res = await call(`${adminApi}/v1.0/pods`, admin, 'POST', { pod: { region_name: p.region, az_name: p.az, pod_az_name: p.az } });
      podIds.push(res.json.pod.pod_id ?? res.json.pod.id);
    }
    const quota = { quota_set: { instances: 100000, cores: 100000, ram: 100000000 } };
    for (const p of cluster.pods)
      await pool(new URL(p.novaUrl).origin)
        .request({ method: 'PUT', path: `/v2.1/os-quota-sets/${demoProject}`, headers: { 'x-auth-token': admin, 'content-type': 'application/json' }, body: JSON.stringify(quota) })
        .then((r) => r.body.dump());
    const gwQuota = await pool(new URL(gw).origin).request({
      method: 'PUT',
      path: `/v2.1/os-quota-sets/${demoProject}`,
      headers: { 'x-auth-token': admin, 'content-type': 'application/json' },
      body: JSON.stringify(quota),
    });
    await gwQuota.body.dump();
    const images = await call(`${cluster.glanceUrl}/v2/images`, demo);
    const imageId = images.json.images[0].id;

    // One server booted through the gateway, in the first pod.
    const booted = await call(`${gw}/v2.1/servers`, demo, 'POST', { server: { name: 'bench', imageRef: imageId, flavorRef: '1', availability_zone: podSpecs[0].az } });
    if (booted.status !== 202) throw new Error(`boot failed: ${booted.status} ${JSON.stringify(booted.json)}`);
    const serverId = booted.json.server.id as string;
    const direct = `${cluster.pods[0].novaUrl}/v2.1/servers/${serverId}`;
    const proxied = `${gw}/v2.1/servers/${serverId}`;

    // ---- 1. latency, interleaved
    const { direct: ds, proxied: gs } = await interleavedLatency(direct, proxied, demo, SAMPLES);
    const lat = {
      directP50: pct(ds, 50),
      directP99: pct(ds, 99),
      gwP50: pct(gs, 50),
      gwP99: pct(gs, 99),
    };

    // ---- 2. throughput, closed loop
    const cpu: Record<string, { gateway: number; pods: number; requests: number }> = {};
    const closedLoop = async (url: string, label?: string): Promise<number> => {
      const g0 = cpuMs(child.pid!);
      const s0 = cpuMs(sim.pid!);
      const n = await closedLoopGets(url, demo, CONCURRENCY, DURATION_S);
      if (label) cpu[label] = { gateway: cpuMs(child.pid!) - g0, pods: cpuMs(sim.pid!) - s0, requests: n };
      return n / DURATION_S;
    };
    await closedLoop(proxied);
    const rpsDirect = await closedLoop(direct, 'direct');
    const rpsGw = await closedLoop(proxied, 'gateway');
    const perRequest = (c: { gateway: number; pods: number; requests: number }) => ({
      gatewayCpuUs: Math.round((c.gateway * 1000) / c.requests),
      podCpuUs: Math.round((c.pods * 1000) / c.requests),
    });

    // ---- 3. merged list over every pod vs the slowest pod alone
    for (const [i, p] of cluster.pods.entries()) {
      const res = await call(`${p.novaUrl}/v2.1/servers`, demo, 'POST', {
        server: { name: `list-${i}`, imageRef: imageId, flavorRef: '1', min_count: SERVERS, max_count: SERVERS },
      });
      if (res.status !== 202) throw new Error(`pod boot failed: ${res.status}`);
      const listed = await call(`${p.novaUrl}/v2.1/servers?limit=1000&name=^list-`, demo);
      for (const s of listed.json.servers) {
        await call(`${adminApi}/v1.0/routings`, admin, 'POST', { routing: { top_id: s.id, bottom_id: s.id, pod_id: podIds[i], project_id: demoProject, resource_type: 'server' } });
      }
    }
    const listUrl = (base: string) => `${base}/v2.1/servers/detail?limit=100`;
    const runs = async (url: string) => {
      for (let i = 0; i < 5; i++) await timedGet(url, demo);
      const xs: number[] = [];
      for (let i = 0; i < LIST_RUNS; i++) xs.push(await timedGet(url, demo));
      return sorted(xs);
    };
    const listCpu0 = { g: cpuMs(child.pid!), s: cpuMs(sim.pid!) };
    const merged = await runs(listUrl(gw));
    const listCpu = { gatewayMs: (cpuMs(child.pid!) - listCpu0.g) / (LIST_RUNS + 5), podsMs: (cpuMs(sim.pid!) - listCpu0.s) / (LIST_RUNS + 5) };
    const perPod = [];
    for (const p of cluster.pods) perPod.push({ region: p.region, xs: await runs(listUrl(p.novaUrl)) });
    const slowest = perPod.reduce((a, b) => (pct(b.xs, 50) > pct(a.xs, 50) ? b : a));
    const mergedAgain = await runs(listUrl(gw));

    // Pods with a realistic answer time: the simulator sleeps before answering (no CPU used).
    for (const p of cluster.pods) await cluster.setFaults(p.region, { latencyMs: POD_LATENCY });
    await cluster.setFaults(cluster.pods[0].region, { latencyMs: POD_LATENCY * 2 });
    const mergedLatency = await runs(listUrl(gw));
    const slowestLatency = await runs(listUrl(cluster.pods[0].novaUrl));
    for (const p of cluster.pods) await cluster.setFaults(p.region, { latencyMs: 0 });

    // ---- 4. boots per second, gateway vs pod, alternating batches so load changes hit both
    const bootBody = (name: string) => ({ server: { name, imageRef: imageId, flavorRef: '1', networks: 'none', availability_zone: podSpecs[0].az } });
    const bootBatch = async (base: string, n: number): Promise<number> => {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: n }, async (_, k) => {
          const res = await pool(new URL(base).origin).request({
            method: 'POST',
            path: `${new URL(base).pathname}/v2.1/servers`.replace('//', '/'),
            headers: { 'x-auth-token': demo, 'content-type': 'application/json', 'x-openstack-nova-api-version': '2.37' },
            body: JSON.stringify(bootBody(`boot-${k}`)),
          });
          await res.body.dump();
          if (res.statusCode !== 202) throw new Error(`boot through ${base} failed: ${res.statusCode}`);
        }),
      );
      return performance.now() - t0;
    };
    let bootMsGw = 0;
    let bootMsDirect = 0;
    await bootBatch(gw, 10);
    await bootBatch(cluster.pods[0].novaUrl, 10);
    for (let done = 0; done < BOOTS; done += 10) {
      bootMsDirect += await bootBatch(cluster.pods[0].novaUrl, 10);
      bootMsGw += await bootBatch(gw, 10);
    }
    const boots = { servers: BOOTS, concurrency: 10, direct: (BOOTS / bootMsDirect) * 1000, gateway: (BOOTS / bootMsGw) * 1000 };

    // ---- 5. RSS under a fixed rate, in a fresh gateway process (same database) that has only seen this load
    await stopGateway(child);
    ({ proc: child, urls } = await startGateway(String(args['rss-services'])));
    gw = urls['nova-apigw'];
    const proxiedFresh = `${gw}/v2.1/servers/${serverId}`;
    for (const iface of ['public', 'internal', 'admin'] as const) {
      cluster.keystone.addEndpoint({ region: 'RegionOne', serviceType: 'compute', serviceName: 'nova', interface: iface, url: `${gw}/v2.1` });
    }
    const rssIdle = rssMb(child.pid!);
    for (let i = 0; i < 200; i++) await timedGet(proxiedFresh, demo);
    const rssStart = rssMb(child.pid!);
    let rssMax = rssStart;
    const started = performance.now();
    const heapSamples: { t: number; rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number }[] = [];
    const onMemory = (m: { memory?: NodeJS.MemoryUsage }) => {
      if (!m.memory) return;
      const mb = (x: number) => Math.round(x / 1048576);
      heapSamples.push({
        t: Math.round((performance.now() - started) / 1000),
        rssMb: mb(m.memory.rss),
        heapUsedMb: mb(m.memory.heapUsed),
        heapTotalMb: mb(m.memory.heapTotal),
        externalMb: mb(m.memory.external + m.memory.arrayBuffers),
      });
    };
    child.on('message', onMemory);
    let ticks = 0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, rssMb(child.pid!));
      if (++ticks % 20 === 0) child.send({ memory: true });
    }, 250);
    const openLoop: number[] = [];
    let sent = 0;
    let failed = 0;
    const inflight: Promise<void>[] = [];
    while (performance.now() - started < RSS_SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * RATE);
      while (sent < due) {
        sent++;
        inflight.push(
          timedGet(proxiedFresh, demo).then(
            (ms) => void openLoop.push(ms),
            () => void failed++,
          ),
        );
      }
      await new Promise((r) => setTimeout(r, 1));
      if (inflight.length > 5000) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    rssMax = Math.max(rssMax, rssMb(child.pid!));
    const ol = sorted(openLoop);

    const out = {
      machine: `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}`,
      latency: {
        direct: { p50: fmt(lat.directP50), p99: fmt(lat.directP99) },
        gateway: { p50: fmt(lat.gwP50), p99: fmt(lat.gwP99) },
        added: { p50: fmt(lat.gwP50 - lat.directP50), p99: fmt(lat.gwP99 - lat.directP99) },
        ratio: { p50: (lat.gwP50 / lat.directP50).toFixed(2), p99: (lat.gwP99 / lat.directP99).toFixed(2) },
      },
      throughput: {
        direct: Math.round(rpsDirect),
        gateway: Math.round(rpsGw),
        ratio: (rpsGw / rpsDirect).toFixed(2),
        concurrency: CONCURRENCY,
        cpuPerRequest: { direct: perRequest(cpu.direct), proxied: perRequest(cpu.gateway) },
        gatewayCoreCapacity: Math.round(1e6 / perRequest(cpu.gateway).gatewayCpuUs),
      },
      mergedList: {
        pods: PODS,
        serversPerPod: SERVERS,
        merged: { p50: fmt(pct(merged, 50)), p99: fmt(pct(merged, 99)) },
        mergedAgain: { p50: fmt(pct(mergedAgain, 50)), p99: fmt(pct(mergedAgain, 99)) },
        slowestPod: { region: slowest.region, p50: fmt(pct(slowest.xs, 50)), p99: fmt(pct(slowest.xs, 99)) },
        ratioP50: (Math.min(pct(merged, 50), pct(mergedAgain, 50)) / pct(slowest.xs, 50)).toFixed(2),
        cpuPerMergedList: { gateway: fmt(listCpu.gatewayMs), allPods: fmt(listCpu.podsMs) },
        withPodLatency: {
          podLatencyMs: POD_LATENCY,
          slowestPodLatencyMs: POD_LATENCY * 2,
          merged: { p50: fmt(pct(mergedLatency, 50)), p99: fmt(pct(mergedLatency, 99)) },
          slowestPod: { p50: fmt(pct(slowestLatency, 50)), p99: fmt(pct(slowestLatency, 99)) },
          ratioP50: (pct(mergedLatency, 50) / pct(slowestLatency, 50)).toFixed(2),
        },
      },
      boots: {
        servers: boots.servers,
        concurrency: boots.concurrency,
        directPerSecond: boots.direct.toFixed(1),
        gatewayPerSecond: boots.gateway.toFixed(1),
        ratio: (boots.gateway / boots.direct).toFixed(2),
      },
      rss: {
        services: args['rss-services'],
        rate: RATE,
        achieved: Math.round(openLoop.length / elapsed),
        failed,
        p50: fmt(pct(ol, 50)),
        p99: fmt(pct(ol, 99)),
        idleMb: rssIdle.toFixed(1),
        warmMb: rssStart.toFixed(1),
        maxMb: rssMax.toFixed(1),
        samples: heapSamples,
      },
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await stopGateway(child);
    await closePools();
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
