import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http.js';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';
import { startNovaEnv, type NovaEnv } from '../nova/support.js';

/**
 * Issue 16 part A through the real `openstack` CLI against Tricircle (Nova API gateway, top Neutron,
 * XJob workers) with two simulated pods: a network shared by RBAC with project B, on which B boots in
 * az2 while A's server is in az1; a QoS policy put on a server's port reaches the port's copy in its
 * pod; a trunk; a floating IP port forwarding.
 */
describe('openstack CLI: RBAC sharing, QoS, trunks, port forwarding', { skip: openstackCli ? false : OPENSTACK_MISSING }, () => {
  let env: NovaEnv;
  let projectB: string;

  const run = async (user: string, project: string, args: string[], json = true): Promise<any> => {
    const res = await openstack({ authUrl: `${env.cluster.keystoneUrl}/v3`, username: user, projectName: project }, [...args, ...(json ? ['-f', 'json'] : [])]);
    if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
    return json ? JSON.parse(res.stdout) : res.stdout;
  };
  const demo = (args: string[], json = true) => run('demo', 'demo', args, json);
  const admin = (args: string[], json = true) => run('admin', 'admin', args, json);
  const podNeutron = (region: string, path: string) => http('GET', `${env.cluster.pods.find((p) => p.region === region)!.neutronUrl}${path}`, { token: env.tokens.admin });
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 300; i++) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  before(async () => {
    env = await startNovaEnv({ buildDelayMs: 50, withNeutron: true, services: ['xjob'] });
    // Project B with user userb (member), and room for its servers.
    const ks = `${env.cluster.keystoneUrl}/v3`;
    const token = env.tokens.admin;
    const project = await http('POST', `${ks}/projects`, { token, body: { project: { name: 'projb', domain_id: 'default' } } });
    projectB = project.body.project.id;
    const user = await http('POST', `${ks}/users`, { token, body: { user: { name: 'userb', domain_id: 'default', password: 'password' } } });
    const roles = await http('GET', `${ks}/roles?name=member`, { token });
    await http('PUT', `${ks}/projects/${projectB}/users/${user.body.user.id}/roles/${roles.body.roles[0].id}`, { token });
    const quota = { quota_set: { instances: 100, cores: 200, ram: 100_000 } };
    await http('PUT', `${env.gw}/v2.1/os-quota-sets/${projectB}`, { token, body: quota });
    for (const p of env.cluster.pods) await http('PUT', `${p.novaUrl}/v2.1/os-quota-sets/${projectB}`, { token, body: quota });
  });
  after(async () => {
    await env?.close();
  });

  test("network rbac create: B boots on A's network in az2 while A's server is in az1; revoking is refused", async () => {
    const net = await demo(['network', 'create', 'shared-net']);
    await demo(['subnet', 'create', '--network', 'shared-net', '--subnet-range', '10.60.0.0/24', 'shared-sub']);
    const rbac = await demo(['network', 'rbac', 'create', '--type', 'network', '--action', 'access_as_shared', '--target-project', projectB, net.id]);
    assert.equal(rbac.target_project_id, projectB);
    const vmA = await demo(['server', 'create', '--flavor', 'm1.tiny', '--image', env.imageId, '--availability-zone', 'az1', '--network', net.id, '--wait', 'vm-a']);
    assert.equal(vmA['OS-EXT-AZ:availability_zone'], 'az1');
    const vmB = await run('userb', 'projb', [
      'server',
      'create',
      '--flavor',
      'm1.tiny',
      '--image',
      env.imageId,
      '--availability-zone',
      'az2',
      '--network',
      net.id,
      '--wait',
      'vm-b',
    ]);
    assert.equal(vmB.status, 'ACTIVE');
    assert.equal(vmB['OS-EXT-AZ:availability_zone'], 'az2');
    assert.match(JSON.stringify(vmB.addresses), /shared-net.*10\.60\.0\./);

    const bad = await openstack({ authUrl: `${env.cluster.keystoneUrl}/v3`, username: 'demo', projectName: 'demo' }, ['network', 'rbac', 'delete', rbac.id]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /cannot be removed because other objects depend on it/);
  });

  test('network qos policy + bandwidth-limit rule + port set --qos-policy: the pod copy of the port carries the policy', async () => {
    const policy = await demo(['network', 'qos', 'policy', 'create', 'bw']);
    const rule = await demo(['network', 'qos', 'rule', 'create', '--type', 'bandwidth-limit', '--max-kbps', '1000', '--max-burst-kbits', '100', '--egress', 'bw']);
    assert.equal(rule.max_kbps, 1000);
    const ports = await demo(['port', 'list', '--server', 'vm-a']);
    assert.equal(ports.length, 1);
    await demo(['port', 'set', '--qos-policy', 'bw', ports[0].ID], false);
    assert.equal((await demo(['port', 'show', ports[0].ID])).qos_policy_id, policy.id);
    // The port_sync job puts the pod's copy of the policy on the port's copy in Pod1.
    const copy = await until('the port copy to carry the policy', async () => {
      const res = await podNeutron('Pod1', `/v2.0/ports?name=${ports[0].ID}`);
      const p = res.body.ports?.[0];
      return p?.qos_policy_id ? p : undefined;
    });
    const bottom = (await podNeutron('Pod1', `/v2.0/qos/policies/${copy.qos_policy_id}`)).body.policy;
    assert.equal(bottom.name, policy.id);
    assert.deepEqual(
      bottom.rules.map((r: any) => [r.type, r.max_kbps]),
      [['bandwidth_limit', 1000]],
    );
  });

  test('network trunk create', async () => {
    await demo(['network', 'create', 'trunk-net']);
    await demo(['subnet', 'create', '--network', 'trunk-net', '--subnet-range', '10.61.0.0/24', 'trunk-sub']);
    await demo(['port', 'create', '--network', 'trunk-net', 'parent']);
    await demo(['port', 'create', '--network', 'trunk-net', 'child']);
    const trunk = await demo(['network', 'trunk', 'create', '--parent-port', 'parent', '--subport', 'port=child,segmentation-type=vlan,segmentation-id=42', 'trunk1']);
    assert.equal(trunk.name, 'trunk1');
    assert.match(JSON.stringify(trunk.sub_ports), /"segmentation_id":\s*42/);
    const listed = await demo(['network', 'trunk', 'list']);
    assert.deepEqual(
      listed.map((t: any) => t.Name),
      ['trunk1'],
    );
  });

  test('floating ip port forwarding create', async () => {
    await admin(['network', 'create', '--external', '--availability-zone-hint', 'Pod1', 'ext-net']);
    await admin(['subnet', 'create', '--network', 'ext-net', '--subnet-range', '172.28.0.0/24', '--no-dhcp', 'ext-sub']);
    await demo(['router', 'create', 'r1']);
    await demo(['router', 'set', '--external-gateway', 'ext-net', 'r1'], false);
    await demo(['router', 'add', 'subnet', 'r1', 'shared-sub'], false);
    const fip = await demo(['floating', 'ip', 'create', 'ext-net']);
    const ports = await demo(['port', 'list', '--server', 'vm-a']);
    const ip = ports[0]['Fixed IP Addresses'][0].ip_address;
    const pf = await demo([
      'floating',
      'ip',
      'port',
      'forwarding',
      'create',
      '--internal-ip-address',
      ip,
      '--port',
      ports[0].ID,
      '--internal-protocol-port',
      '22',
      '--external-protocol-port',
      '2222',
      '--protocol',
      'tcp',
      fip.id,
    ]);
    assert.equal(pf.internal_ip_address, ip);
    assert.equal(pf.external_port, 2222);
    const list = await demo(['floating', 'ip', 'port', 'forwarding', 'list', fip.id]);
    assert.equal(list.length, 1);
  });
});
