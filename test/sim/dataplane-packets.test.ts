// The simulator's dataplane with real packets, driven through the pods' own APIs (no Tricircle):
// a VLAN shared by two pods carries traffic and another VLAN id isolates, security groups drop
// what the pod's rules do not allow (remote groups as the pod knows their members), a router
// translates for its gateway and floating IPs, and the namespaces follow the servers. Root only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster, type SimCluster } from '../../sim/cluster.js';
import { fetchSimToken } from '../../sim/common/token.js';
import { execFileSync } from 'node:child_process';
import { simEntryArgv, startSimProcess } from '../../src/cli/simProcess.js';
import { ProbeAgentPool, BANNER, type ProbeResult } from '../../src/verify/index.js';
import { dataplaneSkipReason, hostLinksLikeOurs, hostTablesLikeOurs, namespacesWith } from '../support/dataplane.js';
import { http } from '../support/http.js';

const skip = await dataplaneSkipReason();
const CLIENT = '203.0.113.1';

describe('dataplane: packets between simulated pods', { skip: skip ?? false }, () => {
  let cluster: SimCluster;
  let token: string;
  let imageId: string;
  const agents = new ProbeAgentPool(8000);

  before(async () => {
    cluster = await startSimCluster({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az2' },
      ],
      buildDelayMs: 0,
      dataplane: true,
    });
    token = (await fetchSimToken(cluster.keystoneUrl, { project: 'admin' })).token;
    imageId = (await http('GET', `${cluster.glanceUrl}/v2/images`, { token })).body.images[0].id;
  });
  after(async () => {
    await agents.close();
    await cluster?.close();
  });

  const podUrl = (region: string) => cluster.pods.find((p) => p.region === region)!;
  async function neutron(region: string, method: string, path: string, body?: unknown): Promise<any> {
    const res = await http(method, `${podUrl(region).neutronUrl}/v2.0${path}`, { token, body });
    assert.ok(res.status < 300, `${region} ${method} ${path}: ${res.status} ${res.text}`);
    return res.status === 204 ? undefined : Object.values(res.body as Record<string, unknown>)[0];
  }
  /** Boots a server on a network; its port (id, address) once the dataplane holds its namespace. */
  async function boot(region: string, networkId: string, name: string): Promise<{ server: string; port: string; ip: string; netns: string }> {
    const res = await http('POST', `${podUrl(region).novaUrl}/v2.1/servers`, {
      token,
      body: { server: { name, flavorRef: '1', imageRef: imageId, networks: [{ uuid: networkId }] } },
    });
    assert.equal(res.status, 202, res.text);
    const server = res.body.server.id as string;
    const [port] = (await neutron(region, 'GET', `/ports?device_id=${server}`)) as any[];
    const status = (await http('POST', `${cluster.keystoneUrl}/sim/dataplane/sync`)).body.dataplane;
    const vm = status.topology.vms.find((v: any) => v.portId === port.id);
    assert.ok(vm, `the dataplane holds ${name}'s port ${port.id}: ${JSON.stringify(status.errors)}`);
    return { server, port: port.id, ip: port.fixed_ips[0].ip_address, netns: vm.netns };
  }
  const sync = async () => {
    const status = (await http('POST', `${cluster.keystoneUrl}/sim/dataplane/sync`)).body.dataplane;
    assert.deepEqual(status.errors, []);
    return status;
  };
  const ping = async (netns: string, to: string, source?: string): Promise<ProbeResult> =>
    (await agents.get(netns)).probe({ op: 'ping', host: to, timeoutMs: 1000, ...(source && { source }) });
  /** A ping that must get through: the first packets of a fresh path may be lost under load, so up to three tries. */
  const assertReaches = async (netns: string, to: string, what: string, source?: string): Promise<void> => {
    let r = await ping(netns, to, source);
    for (let i = 1; i < 3 && !r.ok; i++) r = await ping(netns, to, source);
    assert.equal(r.ok, true, `${what}: ${r.detail}`);
  };
  const tcp = async (netns: string, to: string, source?: string): Promise<ProbeResult> =>
    (await agents.get(netns)).probe({ op: 'tcp', host: to, port: 8000, timeoutMs: 1000, ...(source && { source }) });

  test('one VLAN in two pods is one L2 network; another VLAN id is another', async () => {
    const net = (region: string, vlan: number, pool: [string, string]) =>
      neutron(region, 'POST', '/networks', {
        network: { name: `v${vlan}`, port_security_enabled: false, 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': vlan },
      }).then(async (n) => {
        await neutron(region, 'POST', '/subnets', {
          subnet: { network_id: n.id, cidr: '10.0.5.0/24', ip_version: 4, gateway_ip: null, allocation_pools: [{ start: pool[0], end: pool[1] }] },
        });
        return n.id as string;
      });
    const vm1 = await boot('Pod1', await net('Pod1', 1500, ['10.0.5.10', '10.0.5.19']), 'vm1');
    const vm2 = await boot('Pod2', await net('Pod2', 1500, ['10.0.5.20', '10.0.5.29']), 'vm2');
    const vm3 = await boot('Pod2', await net('Pod2', 1501, ['10.0.5.30', '10.0.5.39']), 'vm3');
    await Promise.all([vm1, vm2, vm3].map((vm) => agents.get(vm.netns)));
    await assertReaches(vm1.netns, vm2.ip, 'same VLAN across pods');
    const t = await tcp(vm2.netns, vm1.ip);
    assert.equal(t.banner, `${BANNER} ${vm1.netns}`);
    assert.equal((await ping(vm1.netns, vm3.ip)).ok, false, 'another VLAN id, same subnet: isolated');
    assert.equal((await tcp(vm3.netns, vm2.ip)).ok, false);
    for (const vm of [vm1, vm2, vm3]) assert.equal((await http('DELETE', `${podUrl(vm === vm1 ? 'Pod1' : 'Pod2').novaUrl}/v2.1/servers/${vm.server}`, { token })).status, 204);
    const status = await sync();
    for (const vm of [vm1, vm2, vm3]) assert.ok(!status.namespaces.includes(vm.netns), `${vm.netns} goes with its server`);
    assert.deepEqual(namespacesWith(vm1.netns), []);
  });

  test("security groups: a pod's remote-group rule admits the group's ports it knows, a missing rule drops", async () => {
    const net = async (region: string, pool: [string, string]) => {
      const n = await neutron(region, 'POST', '/networks', {
        network: { name: 'sg', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 1600 },
      });
      await neutron(region, 'POST', '/subnets', {
        subnet: { network_id: n.id, cidr: '10.0.6.0/24', ip_version: 4, gateway_ip: null, allocation_pools: [{ start: pool[0], end: pool[1] }] },
      });
      return n.id as string;
    };
    const n1 = await net('Pod1', ['10.0.6.10', '10.0.6.19']);
    const n2 = await net('Pod2', ['10.0.6.20', '10.0.6.29']);
    // Default groups: ingress only from members of the group, egress anywhere.
    const a = await boot('Pod1', n1, 'a');
    const b = await boot('Pod1', n1, 'b');
    const c = await boot('Pod2', n2, 'c');
    await Promise.all([a, b, c].map((vm) => agents.get(vm.netns)));
    await assertReaches(a.netns, b.ip, 'same pod, same group');
    assert.equal((await ping(c.netns, a.ip)).ok, false, "Pod1's group does not know c");
    assert.equal((await ping(a.netns, c.ip)).ok, false, "nor does Pod2's know a");
    // The copy of the rule Tricircle would make: the other pod's subnet, as a prefix.
    const groups = (await neutron('Pod1', 'GET', '/security-groups?name=default')) as any[];
    const rule = await neutron('Pod1', 'POST', '/security-group-rules', {
      security_group_rule: { security_group_id: groups[0].id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_ip_prefix: '10.0.6.0/24' },
    });
    await sync();
    await assertReaches(c.netns, a.ip, 'the rule admits ICMP');
    assert.equal((await tcp(c.netns, a.ip)).ok, false, 'and only ICMP');
    assert.equal((await ping(a.netns, c.ip)).ok, false, "Pod2's group still drops");
    await neutron('Pod1', 'DELETE', `/security-group-rules/${rule.id}`);
    await sync();
    assert.equal((await ping(c.netns, a.ip)).ok, false, 'the rule removed: dropped again');
    // A port's address changed: the dataplane follows.
    const other = '10.0.6.15';
    await neutron('Pod1', 'PUT', `/ports/${b.port}`, { port: { fixed_ips: [{ ip_address: other }] } });
    await sync();
    await assertReaches(a.netns, other, 'b answers on its new address');
    assert.equal((await ping(a.netns, b.ip)).ok, false, 'and no more on the old one');
    for (const [region, vm] of [
      ['Pod1', a],
      ['Pod1', b],
      ['Pod2', c],
    ] as const)
      await http('DELETE', `${podUrl(region).novaUrl}/v2.1/servers/${vm.server}`, { token });
  });

  test('a router: SNAT through its gateway to the outside, a floating IP from the outside, each stopping when removed', async () => {
    const ext = await neutron('Pod1', 'POST', '/networks', {
      network: { name: 'ext', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extern' },
    });
    await neutron('Pod1', 'POST', '/subnets', { subnet: { network_id: ext.id, cidr: '10.60.0.0/24', ip_version: 4, gateway_ip: '10.60.0.1', enable_dhcp: false } });
    const inner = await neutron('Pod1', 'POST', '/networks', { network: { name: 'inner', port_security_enabled: false } });
    const innerSub = await neutron('Pod1', 'POST', '/subnets', { subnet: { network_id: inner.id, cidr: '10.0.7.0/24', ip_version: 4 } });
    const router = await neutron('Pod1', 'POST', '/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } });
    await neutron('Pod1', 'PUT', `/routers/${router.id}/add_router_interface`, { subnet_id: innerSub.id });
    const vm = await boot('Pod1', inner.id, 'nat');
    const status = await sync();
    const outside = status.topology.outside.netns as string;
    await Promise.all([agents.get(outside), agents.get(vm.netns)]);
    assert.deepEqual(
      status.topology.outside.interfaces.map((i: any) => i.addresses),
      [['10.60.0.1/24']],
      "the outside host is the external subnet's gateway",
    );
    await assertReaches(vm.netns, CLIENT, 'out through the gateway, source-NATed');
    assert.equal((await tcp(vm.netns, CLIENT)).banner, `${BANNER} ${outside}`);
    assert.equal((await ping(outside, vm.ip, CLIENT)).ok, false, 'the fixed address is not reachable from outside');

    const fip = await neutron('Pod1', 'POST', '/floatingips', { floatingip: { floating_network_id: ext.id, port_id: vm.port } });
    await sync();
    await assertReaches(outside, fip.floating_ip_address, 'the floating IP answers', CLIENT);
    assert.equal((await tcp(outside, fip.floating_ip_address, CLIENT)).banner, `${BANNER} ${vm.netns}`, 'and it is the VM that answers');
    await neutron('Pod1', 'PUT', `/floatingips/${fip.id}`, { floatingip: { port_id: null } });
    await sync();
    assert.equal((await ping(outside, fip.floating_ip_address, CLIENT)).ok, false, 'disassociated: no answer');

    await neutron('Pod1', 'PUT', `/routers/${router.id}`, { router: { external_gateway_info: { network_id: ext.id, enable_snat: false } } });
    await sync();
    assert.equal((await ping(vm.netns, CLIENT)).ok, false, 'SNAT off: the outside has no way back to 10.0.7.0/24');
    await neutron('Pod1', 'PUT', `/routers/${router.id}`, { router: { admin_state_up: false } });
    const down = await sync();
    assert.ok(!down.topology.routers.some((r: any) => r.routerId === router.id), 'a router administratively down is not realised');
  });

  test('closing the simulator removes the whole dataplane', async () => {
    const prefix = cluster.dataplane!.prefix;
    assert.ok(namespacesWith(prefix).length >= 4);
    await agents.close();
    await cluster.close();
    assert.deepEqual(namespacesWith(prefix), []);
    assert.deepEqual(hostLinksLikeOurs(), []);
    assert.deepEqual(hostTablesLikeOurs(), []);
  });
});

describe('dataplane: a killed simulator leaves namespaces that the sweep removes', { skip: skip ?? false }, () => {
  test('tricircle-sim --dataplane, SIGKILL, then --dataplane-sweep', async () => {
    const sim = await startSimProcess(['--pods', 'Pod1:az1', '--dataplane'], { stderr: 'ignore' });
    const prefix = `tcdp-${sim.child.pid!.toString(36)}-`;
    try {
      const made = namespacesWith(prefix);
      assert.ok(made.length >= 3, `fabric, outside and the pod: ${made.join(', ')}`);
      sim.child.kill('SIGKILL');
      await new Promise((r) => sim.child.once('exit', r));
      assert.deepEqual(namespacesWith(prefix), made, 'a kill leaves them');
      const out = JSON.parse(execFileSync(process.execPath, [...simEntryArgv(), '--dataplane-sweep'], { encoding: 'utf8' })) as { removed: string[] };
      for (const n of made) assert.ok(out.removed.includes(n), `the sweep reports ${n}`);
      assert.deepEqual(namespacesWith(prefix), [], 'the sweep removed them');
    } finally {
      await sim.stop();
    }
  });
});
