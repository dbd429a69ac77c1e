import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http.js';
import { startNovaEnv, waitForGone, waitForStatus, type NovaEnv } from './support.js';

const boot = (env: NovaEnv, name: string, extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  env.call('demo', 'POST', '/servers', { version: '2.64', body: { server: { name, imageRef: env.imageId, flavorRef: '1', networks: 'none', ...extra }, ...top } });

/** The region of the pod a server is in, as administrators see it (host names carry the region). */
async function podOf(env: NovaEnv, id: string): Promise<string> {
  const res = await env.call('admin', 'GET', `/servers/${id}`, { version: '2.64' });
  assert.equal(res.status, 200, res.text);
  for (const [region] of Object.entries(env.pods)) {
    const inPod = await env.pod(region, 'admin', 'GET', `/servers/${id}`);
    if (inPod.status === 200) return region;
  }
  throw new Error(`server ${id} is in no pod`);
}

describe('Nova API gateway: server groups, hypervisors, services, usage, migrations', () => {
  let env: NovaEnv;
  before(async () => {
    env = await startNovaEnv({
      pods: [
        { region: 'Pod1', az: 'az1' },
        { region: 'Pod2', az: 'az1' },
        { region: 'Pod3', az: 'az1' },
      ],
    });
  });
  after(async () => {
    await env?.close();
  });

  test('anti-affinity spreads members over pods (site level); the group lists them; a deleted member leaves it', async () => {
    const created = await env.call('demo', 'POST', '/os-server-groups', { version: '2.64', body: { server_group: { name: 'spread', policy: 'anti-affinity' } } });
    assert.equal(created.status, 200, created.text);
    const group = created.body.server_group;
    assert.deepEqual(Object.keys(group).sort(), ['id', 'members', 'name', 'policy', 'project_id', 'rules', 'user_id']);
    assert.deepEqual(group.members, []);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await boot(env, `spread-${i}`, {}, { 'os:scheduler_hints': { group: group.id } });
      assert.equal(res.status, 202, res.text);
      ids.push(res.body.server.id);
    }
    for (const id of ids) await waitForStatus(env, 'demo', id, ['ACTIVE']);
    const regions = await Promise.all(ids.map((id) => podOf(env, id)));
    assert.deepEqual([...new Set(regions)].sort(), ['Pod1', 'Pod2', 'Pod3'], 'three members in three pods');
    // The Admin API's routing filter shows the group's copies, one per pod.
    const copies = await http('GET', `${env.tc.urls['admin-api']}/v1.0/routings?resource_type=server_group&top_id=${group.id}`, { token: env.tokens.admin });
    assert.equal(copies.status, 200, copies.text);
    assert.deepEqual(copies.body.routings.map((r: { pod_id: string }) => r.pod_id).sort(), [env.pods.Pod1.id, env.pods.Pod2.id, env.pods.Pod3.id].sort());

    const shown = await env.call('demo', 'GET', `/os-server-groups/${group.id}`, { version: '2.64' });
    assert.deepEqual([...shown.body.server_group.members].sort(), [...ids].sort());
    // A fourth member shares a pod: the pod's own copy of the group keeps it off the first member's host.
    const fourth = await boot(env, 'spread-3', {}, { 'os:scheduler_hints': { group: group.id } });
    assert.equal(fourth.status, 202, fourth.text);
    const s4 = await waitForStatus(env, 'demo', fourth.body.server.id, ['ACTIVE']);
    assert.ok(s4);

    assert.equal((await env.call('demo', 'DELETE', `/servers/${ids[0]}`)).status, 204);
    await waitForGone(env, 'demo', ids[0]);
    const after = await env.call('demo', 'GET', `/os-server-groups/${group.id}`, { version: '2.1' });
    assert.equal(after.status, 200);
    assert.ok(!after.body.server_group.members.includes(ids[0]));
    assert.equal(after.body.server_group.members.length, 3);
    assert.deepEqual(after.body.server_group.policies, ['anti-affinity'], 'before 2.64: policies');
    assert.deepEqual(after.body.server_group.metadata, {});
    assert.ok(!('project_id' in after.body.server_group), 'project_id from 2.13');
  });

  test("affinity keeps every member in the first one's pod", async () => {
    const g = (await env.call('demo', 'POST', '/os-server-groups', { version: '2.15', body: { server_group: { name: 'together', policies: ['affinity'] } } })).body.server_group;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await boot(env, `together-${i}`, {}, { 'os:scheduler_hints': { group: g.id } });
      assert.equal(res.status, 202, res.text);
      ids.push(res.body.server.id);
    }
    const regions = new Set(await Promise.all(ids.map((id) => podOf(env, id))));
    assert.equal(regions.size, 1, `all in one pod, got ${[...regions].join(',')}`);
    const list = await env.call('demo', 'GET', '/os-server-groups', { version: '2.64' });
    const mine = list.body.server_groups.find((x: { id: string }) => x.id === g.id);
    assert.deepEqual([...mine.members].sort(), [...ids].sort());
  });

  test('server group errors and quotas as upstream', async () => {
    const bad = await env.call('demo', 'POST', '/os-server-groups', { version: '2.64', body: { server_group: { name: 'x', policy: 'nearby' } } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.badRequest.message, /^Invalid input for field\/attribute policy/);
    const softBefore215 = await env.call('demo', 'POST', '/os-server-groups', { version: '2.14', body: { server_group: { name: 'x', policies: ['soft-affinity'] } } });
    assert.equal(softBefore215.status, 400);
    const rule = await env.call('demo', 'POST', '/os-server-groups', {
      version: '2.64',
      body: { server_group: { name: 'x', policy: 'affinity', rules: { max_server_per_host: 2 } } },
    });
    assert.equal(rule.status, 400);
    assert.equal(rule.body.badRequest.message, "Only anti-affinity policy supports 'max_server_per_host' rule.");
    const missing = await env.call('demo', 'GET', '/os-server-groups/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Instance group 00000000-0000-4000-8000-000000000000 could not be found.');
    const admins = await env.call('admin', 'GET', '/os-server-groups/00000000-0000-4000-8000-000000000000');
    assert.equal(admins.status, 404);

    // Member quota: counted at the top, across pods.
    await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { server_group_members: 1 } } });
    try {
      const g = (await env.call('demo', 'POST', '/os-server-groups', { version: '2.64', body: { server_group: { name: 'small', policy: 'soft-anti-affinity' } } })).body
        .server_group;
      assert.equal((await boot(env, 'small-1', {}, { 'os:scheduler_hints': { group: g.id } })).status, 202);
      const over = await boot(env, 'small-2', {}, { 'os:scheduler_hints': { group: g.id } });
      assert.equal(over.status, 403);
      assert.equal(over.body.forbidden.message, 'Quota exceeded, too many servers in group');
    } finally {
      await env.call('admin', 'PUT', `/os-quota-sets/${env.projects.demo}`, { body: { quota_set: { server_group_members: 10 } } });
    }
    const limits = await env.call('demo', 'GET', '/limits');
    const groups = await env.call('demo', 'GET', '/os-server-groups');
    assert.equal(limits.body.limits.absolute.totalServerGroupsUsed, groups.body.server_groups.length, 'groups counted once, at the top');

    const gone = (await env.call('demo', 'POST', '/os-server-groups', { body: { server_group: { name: 'tmp', policies: ['anti-affinity'] } } })).body.server_group;
    assert.equal((await env.call('demo', 'DELETE', `/os-server-groups/${gone.id}`)).status, 204);
    assert.equal((await env.call('demo', 'GET', `/os-server-groups/${gone.id}`)).status, 404);
    const noGroup = await boot(env, 'nogroup', {}, { 'os:scheduler_hints': { group: gone.id } });
    assert.equal(noGroup.status, 400);
  });

  test('hypervisors of every pod: hosts prefixed by region, unique stable ids, statistics summed, calls routed', async () => {
    const list = await env.call('admin', 'GET', '/os-hypervisors', { version: '2.53' });
    assert.equal(list.status, 200, list.text);
    const hvs = list.body.hypervisors;
    const inPods = await Promise.all(Object.keys(env.pods).map((r) => env.pod(r, 'admin', 'GET', '/os-hypervisors', { version: '2.53' })));
    assert.equal(
      hvs.length,
      inPods.reduce((n, p) => n + p.body.hypervisors.length, 0),
    );
    for (const region of Object.keys(env.pods))
      assert.ok(
        hvs.some((h: { hypervisor_hostname: string }) => h.hypervisor_hostname.startsWith(`${region}.`)),
        region,
      );
    assert.equal(new Set(hvs.map((h: { id: string }) => h.id)).size, hvs.length);
    const again = await env.call('admin', 'GET', '/os-hypervisors', { version: '2.53' });
    assert.deepEqual(
      again.body.hypervisors.map((h: { id: string }) => h.id),
      hvs.map((h: { id: string }) => h.id),
      'stable',
    );

    const old = await env.call('admin', 'GET', '/os-hypervisors/detail', { version: '2.1' });
    const intIds = old.body.hypervisors.map((h: { id: number }) => h.id);
    assert.ok(intIds.every((id: unknown) => Number.isInteger(id)));
    assert.equal(new Set(intIds).size, intIds.length, 'integer ids unique across pods');
    const one = await env.call('admin', 'GET', `/os-hypervisors/${intIds[1]}`, { version: '2.1' });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.hypervisor.hypervisor_hostname, old.body.hypervisors[1].hypervisor_hostname);
    const byUuid = await env.call('admin', 'GET', `/os-hypervisors/${hvs[2].id}`, { version: '2.53' });
    assert.equal(byUuid.body.hypervisor.hypervisor_hostname, hvs[2].hypervisor_hostname);

    const stats = await env.call('admin', 'GET', '/os-hypervisors/statistics');
    const podStats = await Promise.all(Object.keys(env.pods).map((r) => env.pod(r, 'admin', 'GET', '/os-hypervisors/statistics')));
    assert.equal(stats.body.hypervisor_statistics.count, hvs.length);
    assert.equal(
      stats.body.hypervisor_statistics.running_vms,
      podStats.reduce((n, p) => n + p.body.hypervisor_statistics.running_vms, 0),
    );

    const search = await env.call('admin', 'GET', `/os-hypervisors/${encodeURIComponent('Pod2.')}/servers`, { version: '2.1' });
    assert.equal(search.status, 200, search.text);
    assert.ok(search.body.hypervisors.every((h: { hypervisor_hostname: string }) => h.hypervisor_hostname.startsWith('Pod2.')));
    const none = await env.call('admin', 'GET', '/os-hypervisors/nothing-like-this/search', { version: '2.1' });
    assert.equal(none.status, 404);
    assert.equal((await env.call('demo', 'GET', '/os-hypervisors')).status, 403);
  });

  test('compute services of every pod; PUT os-services routed to the pod', async () => {
    const list = await env.call('admin', 'GET', '/os-services', { version: '2.53' });
    assert.equal(list.status, 200, list.text);
    const computes = list.body.services.filter((s: { binary: string }) => s.binary === 'nova-compute');
    assert.ok(computes.every((s: { zone: string; host: string }) => s.zone === 'az1' && /^Pod\d\./.test(s.host)));
    const target = computes.find((s: { host: string }) => s.host.startsWith('Pod3.'));
    const put = await env.call('admin', 'PUT', `/os-services/${target.id}`, { version: '2.53', body: { status: 'disabled', disabled_reason: 'maintenance' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.service.status, 'disabled');
    assert.equal(put.body.service.host, target.host);
    const inPod = await env.pod('Pod3', 'admin', 'GET', '/os-services?binary=nova-compute', { version: '2.53' });
    assert.ok(inPod.body.services.some((s: { status: string; disabled_reason: string }) => s.status === 'disabled' && s.disabled_reason === 'maintenance'));
    const legacy = await env.call('admin', 'PUT', '/os-services/enable', { version: '2.1', body: { host: target.host, binary: 'nova-compute' } });
    assert.equal(legacy.status, 200, legacy.text);
    assert.deepEqual(legacy.body.service, { host: target.host, binary: 'nova-compute', status: 'enabled' });
    const byHost = await env.call('admin', 'GET', `/os-services?host=${encodeURIComponent(target.host)}`);
    assert.ok(byHost.body.services.length >= 1 && byHost.body.services.every((s: { host: string }) => s.host === target.host));
    const hosts = await env.call('admin', 'GET', '/os-hosts');
    assert.ok(hosts.body.hosts.some((h: { host_name: string; zone: string }) => h.host_name.startsWith('Pod2.') && h.zone === 'az1'));
    const missing = await env.call('admin', 'PUT', '/os-services/00000000-0000-4000-8000-000000000000', { version: '2.53', body: { status: 'disabled' } });
    assert.equal(missing.status, 404);
  });

  test('usage summed across pods, migrations merged', async () => {
    const usage = await env.call('admin', 'GET', '/os-simple-tenant-usage?detailed=1');
    assert.equal(usage.status, 200, usage.text);
    const demo = usage.body.tenant_usages.find((u: { tenant_id: string }) => u.tenant_id === env.projects.demo);
    const podServers = (await Promise.all(Object.keys(env.pods).map((r) => env.pod(r, 'admin', 'GET', `/os-simple-tenant-usage/${env.projects.demo}`)))).flatMap(
      (p) => p.body.tenant_usage.server_usages ?? [],
    );
    assert.equal(demo.server_usages.length, podServers.length);
    const mine = await env.call('demo', 'GET', `/os-simple-tenant-usage/${env.projects.demo}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.tenant_usage.server_usages.length, podServers.length);
    const paged = await env.call('admin', 'GET', '/os-simple-tenant-usage?detailed=1&limit=2', { version: '2.40' });
    const servers = paged.body.tenant_usages.flatMap((u: { server_usages: unknown[] }) => u.server_usages);
    assert.equal(servers.length, 2);
    assert.match(paged.body.tenant_usages_links[0].href, /marker=/);

    // A cold migration in Pod1, a resize in another pod.
    const s = await boot(env, 'mover', { availability_zone: 'az1' });
    const id = s.body.server.id;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    const mig = await env.call('admin', 'POST', `/servers/${id}/action`, { body: { migrate: null } });
    assert.equal(mig.status, 202, mig.text);
    const list = await env.call('admin', 'GET', '/os-migrations', { version: '2.59' });
    assert.equal(list.status, 200, list.text);
    const m = list.body.migrations.find((x: { instance_uuid: string }) => x.instance_uuid === id);
    assert.ok(m, 'the migration is listed');
    const region = await podOf(env, id);
    assert.ok(m.source_compute.startsWith(`${region}.`));
    const other = Object.keys(env.pods).find((r) => r !== region)!;
    const otherHost = `${other}.${other.toLowerCase()}-compute-1`;
    const badTarget = await env.call('admin', 'POST', `/servers/${id}/action`, { version: '2.30', body: { 'os-migrateLive': { host: otherHost, block_migration: 'auto' } } });
    assert.equal(badTarget.status, 400, badTarget.text);
    assert.match(badTarget.body.badRequest.message, new RegExp(`is not in pod ${region} of the server`));
  });
});
