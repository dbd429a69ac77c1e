import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPENSTACK_MISSING, openstack, openstackCli } from '../support/openstack.js';
import { startNovaEnv, type NovaEnv } from '../nova/support.js';

/**
 * `openstack server add/remove security group` through the gateway: the pod knows the top groups only
 * as their copies (named by the top ids), so the actions must name the copies, and a group the pod has
 * no copy of yet is copied with its rules first.
 */
describe('openstack CLI: server add/remove security group through the gateway', { skip: openstackCli ? false : OPENSTACK_MISSING }, () => {
  let env: NovaEnv;
  const cli = async (args: string[], json = true): Promise<any> => {
    const res = await openstack({ authUrl: `${env.cluster.keystoneUrl}/v3`, username: 'demo', projectName: 'demo' }, [...args, ...(json ? ['-f', 'json'] : [])]);
    if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
    return json ? JSON.parse(res.stdout) : res.stdout;
  };
  /** The pod's copy of a top group, by the routing table, and the groups of the server's pod ports. */
  const podCopy = async (topId: string) => (await env.tc.core.routings.findByTop(topId, 'security_group')).find((r) => r.podId === env.pods.Pod1.id)?.bottomId;
  const podPortGroups = async (serverId: string): Promise<string[]> => {
    const neutron = env.cluster.pods.find((p) => p.region === 'Pod1')!.neutronUrl;
    const res = await fetch(`${neutron}/v2.0/ports?device_id=${serverId}`, { headers: { 'x-auth-token': env.tokens.admin } });
    const body = (await res.json()) as { ports: { security_groups: string[] }[] };
    return body.ports.flatMap((p) => p.security_groups).sort();
  };

  before(async () => {
    env = await startNovaEnv({ withNeutron: true });
  });
  after(async () => {
    await env?.close();
  });

  test('add and remove the default group and a new group; the pod server is in the copies', async () => {
    await cli(['network', 'create', 'sgnet']);
    await cli(['subnet', 'create', '--network', 'sgnet', '--subnet-range', '10.0.7.0/24', 'sgsub']);
    const web = await cli(['security', 'group', 'create', 'web']);
    await cli(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', '--ingress', 'web']);
    const groups = await cli(['security', 'group', 'list']);
    const defaultId = groups.find((g: { Name: string }) => g.Name === 'default').ID as string;

    // Booted without a group named: the project's default group, so its copy is in Pod1.
    const vm = await cli(['server', 'create', '--flavor', 'm1.tiny', '--image', env.imageId, '--availability-zone', 'az1', '--network', 'sgnet', '--wait', 'sgvm']);
    const defaultCopy = await podCopy(defaultId);
    assert.ok(defaultCopy, 'the default group has a copy in Pod1');
    assert.deepEqual(await podPortGroups(vm.id), [defaultCopy]);
    assert.equal(await podCopy(web.id), undefined, 'no copy of web yet');

    await cli(['server', 'add', 'security', 'group', 'sgvm', web.id], false);
    const webCopy = await podCopy(web.id);
    assert.ok(webCopy, 'adding web made its copy in Pod1');
    assert.deepEqual(await podPortGroups(vm.id), [defaultCopy, webCopy].sort());
    const neutron = env.cluster.pods.find((p) => p.region === 'Pod1')!.neutronUrl;
    const copyRules = (await (await fetch(`${neutron}/v2.0/security-group-rules?security_group_id=${webCopy}`, { headers: { 'x-auth-token': env.tokens.admin } })).json()) as {
      security_group_rules: { port_range_min: number | null; direction: string }[];
    };
    assert.ok(
      copyRules.security_group_rules.some((r) => r.direction === 'ingress' && r.port_range_min === 80),
      'the copy carries the rules',
    );
    const shown = await cli(['server', 'show', 'sgvm']);
    assert.match(JSON.stringify(shown.security_groups), /web/, 'the server shows the top name');

    await cli(['server', 'remove', 'security', 'group', 'sgvm', defaultId], false);
    assert.deepEqual(await podPortGroups(vm.id), [webCopy]);
    await cli(['server', 'add', 'security', 'group', 'sgvm', defaultId], false);
    assert.deepEqual(await podPortGroups(vm.id), [defaultCopy, webCopy].sort(), 'default maps to the copy of the top default group');
    await cli(['server', 'remove', 'security', 'group', 'sgvm', web.id], false);
    assert.deepEqual(await podPortGroups(vm.id), [defaultCopy]);

    // The same by name, as users type it: `default` is the project's top default group, never the pod's own.
    await cli(['server', 'remove', 'security', 'group', 'sgvm', 'default'], false);
    assert.deepEqual(await podPortGroups(vm.id), []);
    await cli(['server', 'add', 'security', 'group', 'sgvm', 'web'], false);
    await cli(['server', 'add', 'security', 'group', 'sgvm', 'default'], false);
    assert.deepEqual(await podPortGroups(vm.id), [defaultCopy, webCopy].sort());
    await cli(['server', 'remove', 'security', 'group', 'sgvm', 'web'], false);
    assert.deepEqual(await podPortGroups(vm.id), [defaultCopy]);

    // The pod's own unmanaged default group is never picked for `default`.
    const direct = await env.call('demo', 'POST', `/servers/${vm.id}/action`, { body: { addSecurityGroup: { name: 'no-such-group' } } });
    assert.equal(direct.status, 404, direct.text);
    assert.match(direct.body.itemNotFound.message, /no-such-group/);
    await cli(['server', 'delete', '--wait', 'sgvm'], false);
  });
});
