import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAll, formatReport, snapshotPods, type Snapshot } from '../support/reachability.js';
import { describeEachDatabase } from '../support/databases.js';
import { expectStatus, startRouterEnv, type RouterEnv } from './l3-harness.js';

/**
 * Order does not matter (the original needed the external network before the interfaces): the same
 * topology built in two orders ends in the same pod state, up to the ids and the addresses the IPAMs
 * picked, which are replaced by labels before comparing.
 */

interface Ids {
  net1: string;
  net2: string;
  net1Subnet: string;
  net2Subnet: string;
  ext?: string;
  router?: string;
  vm1?: { portId: string };
  vm2?: { portId: string };
}

async function tenantNetworks(env: RouterEnv): Promise<Ids> {
  const ids: Partial<Ids> = {};
  for (const [name, cidr] of [
    ['net1', '10.0.1.0/24'],
    ['net2', '10.0.2.0/24'],
  ] as const) {
    const net = expectStatus(await env.top('POST', '/networks', { network: { name } }), 201).body.network;
    ids[name] = net.id;
    ids[`${name}Subnet`] = expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr, name: `${name}-sub` } }), 201).body.subnet.id;
  }
  return ids as Ids;
}

async function externalNetwork(env: RouterEnv): Promise<string> {
  const ext = expectStatus(
    await env.top(
      'POST',
      '/networks',
      { network: { name: 'ext', 'router:external': true, 'provider:network_type': 'vlan', 'provider:physical_network': 'extern', availability_zone_hints: ['Pod1'] } },
      'admin',
    ),
    201,
  ).body.network;
  expectStatus(await env.top('POST', '/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false } }, 'admin'), 201);
  return ext.id;
}

async function addInterfaces(env: RouterEnv, ids: Ids): Promise<void> {
  if (!ids.router) ids.router = expectStatus(await env.top('POST', '/routers', { router: { name: 'r' } }), 201).body.router.id;
  for (const s of [ids.net1Subnet, ids.net2Subnet]) expectStatus(await env.top('PUT', `/routers/${ids.router}/add_router_interface`, { subnet_id: s }), 200);
}

async function setGateway(env: RouterEnv, ids: Ids): Promise<void> {
  if (!ids.router) ids.router = expectStatus(await env.top('POST', '/routers', { router: { name: 'r' } }), 201).body.router.id;
  expectStatus(await env.top('PUT', `/routers/${ids.router}`, { router: { external_gateway_info: { network_id: ids.ext } } }), 200);
}

async function floatingIps(env: RouterEnv, ids: Ids): Promise<void> {
  for (const vm of [ids.vm1!, ids.vm2!]) expectStatus(await env.top('POST', '/floatingips', { floatingip: { floating_network_id: ids.ext, port_id: vm.portId } }), 201);
}

async function snapshot(env: RouterEnv): Promise<Snapshot> {
  return snapshotPods(
    env.cluster.pods.map((p) => ({ region: p.region, neutronUrl: p.neutronUrl })),
    env.tokens.admin,
  );
}

async function settled(env: RouterEnv): Promise<void> {
  assert.deepEqual(await env.settle(), [], 'no job failed');
}

/**
 * The pods' state with names for ids and addresses: networks by role (net1, net2, ext, ew/ns bridge),
 * VM addresses as `vm@<net>`, gateway addresses as `<net>.gw`, every other address by the order it
 * is met in a fixed walk (pods, then routers' interfaces by network, gateway, routes, floating IPs).
 */
async function shapeOf(env: RouterEnv, ids: Ids): Promise<unknown> {
  const snap = await snapshot(env);
  const topNets = expectStatus(await env.top('GET', '/networks', undefined, 'admin'), 200).body.networks as any[];
  const role = new Map<string, string>([
    [ids.net1, 'net1'],
    [ids.net2, 'net2'],
    [ids.ext!, 'ext'],
  ]);
  for (const n of topNets) {
    if (n.name.startsWith('ns_bridge_net_')) role.set(n.id, 'ns-bridge');
    else if (n.name.startsWith('bridge_net_')) role.set(n.id, 'ew-bridge');
  }
  const tokens = new Map<string, string>();
  const token = (ip: string) => {
    if (!tokens.has(ip)) tokens.set(ip, `ip#${tokens.size}`);
    return tokens.get(ip)!;
  };
  const out: Record<string, unknown> = {};
  for (const pod of snap.pods) {
    const netRole = (id: string) => role.get(pod.networks.find((n) => n.id === id)?.name ?? '') ?? `unknown(${id})`;
    const subnet = (id: string | undefined) => pod.subnets.find((s) => s.id === id);
    const label = (ip: string, subnetId?: string) => {
      const s = subnet(subnetId) ?? pod.subnets.find((x) => x.ip_version === 4 && inCidr(ip, x.cidr));
      const net = s ? netRole(s.network_id) : '?';
      if (s && s.gateway_ip === ip) return `${net}.gw`;
      const holder = pod.ports.find((p) => p.fixed_ips.some((f) => f.ip_address === ip));
      if (holder?.device_owner?.startsWith('compute:')) return `vm@${net}`;
      return `${net}:${token(ip)}`;
    };
    const routers = pod.routers.map((r) => {
      const ports = pod.ports.filter((p) => p.device_id === r.id && p.device_owner === 'network:router_interface');
      const ifaces = ports
        .map((p) => ({ net: netRole(p.network_id), p }))
        .sort((a, b) => a.net.localeCompare(b.net))
        .map(({ net, p }) => `${net} ${label(p.fixed_ips[0].ip_address, p.fixed_ips[0].subnet_id)}`);
      const gw = r.external_gateway_info
        ? {
            net: netRole(r.external_gateway_info.network_id),
            snat: r.external_gateway_info.enable_snat,
            ips: (r.external_gateway_info.external_fixed_ips ?? []).map((f) => label(f.ip_address, f.subnet_id)),
          }
        : null;
      const routes = [...(r.routes ?? [])]
        .sort((a, b) => a.destination.localeCompare(b.destination))
        .map((x) => `${x.destination.startsWith('100.') ? 'bridge-cidr' : x.destination} via ${label(x.nexthop)}`);
      return { ifaces, gw, routes };
    });
    const fips = pod.floatingips
      .map((f) => ({ f, net: netRole(f.floating_network_id), port: pod.ports.find((p) => p.id === f.port_id) }))
      .map((x) => ({ ...x, portNet: x.port ? netRole(x.port.network_id) : null }))
      .sort((a, b) => `${a.net}/${a.portNet}`.localeCompare(`${b.net}/${b.portNet}`))
      .map(({ f, net, portNet }) => ({ net, address: label(f.floating_ip_address), port: portNet, fixed: f.fixed_ip_address ? label(f.fixed_ip_address) : null }));
    out[pod.region] = { routers, fips };
  }
  return out;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const mask = Number(len) === 0 ? 0 : 2 ** 32 - 2 ** (32 - Number(len));
  return ip.includes('.') && base.includes('.') && (n(ip) & mask) >>> 0 === (n(base) & mask) >>> 0;
}

describeEachDatabase('order does not matter', (dialect) => {
  const shapes: unknown[] = [];

  test('external network and gateway first, then interfaces, then the VMs', async () => {
    const env = await startRouterEnv({ dialect });
    try {
      const ids = await tenantNetworks(env);
      ids.ext = await externalNetwork(env);
      await setGateway(env, ids);
      await addInterfaces(env, ids);
      await settled(env);
      ids.vm1 = await env.boot('vm1', 'az1', { uuid: ids.net1 });
      ids.vm2 = await env.boot('vm2', 'az2', { uuid: ids.net2 });
      await settled(env);
      await floatingIps(env, ids);
      await settled(env);
      const report = checkAll(await snapshot(env));
      assert.ok(report.ok, formatReport(report));
      shapes.push(await shapeOf(env, ids));
    } finally {
      await env.close();
    }
  });

  test('VMs first, then the interfaces (east-west only), then the external network and the gateway', async () => {
    const env = await startRouterEnv({ dialect });
    try {
      const ids = await tenantNetworks(env);
      ids.vm1 = await env.boot('vm1', 'az1', { uuid: ids.net1 });
      ids.vm2 = await env.boot('vm2', 'az2', { uuid: ids.net2 });
      await addInterfaces(env, ids);
      await settled(env);
      const eastWest = checkAll(await snapshot(env));
      assert.ok(eastWest.ok, formatReport(eastWest));
      assert.equal(eastWest.pairs.length, 2);
      ids.ext = await externalNetwork(env);
      await setGateway(env, ids);
      await settled(env);
      await floatingIps(env, ids);
      await settled(env);
      const report = checkAll(await snapshot(env));
      assert.ok(report.ok, formatReport(report));
      shapes.push(await shapeOf(env, ids));
    } finally {
      await env.close();
    }
  });

  test('both end in the same state', () => {
    assert.equal(shapes.length, 2);
    assert.deepEqual(shapes[1], shapes[0]);
  });
});
