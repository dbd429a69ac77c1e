import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from '../network/support.js';

/** The top networking service's quotas: the API as Neutron's, enforced at the top, atomic under concurrency. */
describeEachDatabase('networking quotas', (dialect) => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron(dialect);
  });
  after(async () => h?.close());

  test('the quotas API: defaults, show, update, details, list, reset; admin only where Neutron says so', async () => {
    const defaults = await h.call('GET', '/v2.0/quotas/p-alice/default', undefined, ALICE);
    assert.equal(defaults.status, 200);
    assert.deepEqual(defaults.body.quota, {
      floatingip: 50,
      network: 100,
      port: 500,
      rbac_policy: 10,
      router: 10,
      security_group: 10,
      security_group_rule: 100,
      subnet: 100,
      subnetpool: -1,
    });
    assert.equal((await h.call('GET', '/v2.0/quotas/p-alice', undefined, BOB)).status, 403);
    assert.equal((await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { network: 3 } }, ALICE)).status, 403);
    assert.equal((await h.call('GET', '/v2.0/quotas', undefined, ALICE)).status, 403);

    const set = await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { network: 3, port: '5', check_limit: 'True', force: 'False' } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.quota.network, 3);
    assert.equal(set.body.quota.port, 5);
    assert.equal(set.body.quota.router, 10);
    neutronError(await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { networks: 3 } }), 400);
    neutronError(await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { constructor: 3 } }), 400);
    neutronError(await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { network: -2 } }), 400);
    neutronError(await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { network: 'x' } }), 400);
    neutronError(await h.call('PUT', '/v2.0/quotas/p-alice', 'string'), 400);

    const list = await h.call('GET', '/v2.0/quotas');
    assert.equal(list.status, 200);
    const mine = list.body.quotas.find((q: { project_id: string }) => q.project_id === 'p-alice');
    assert.equal(mine.network, 3);
    assert.equal(mine.tenant_id, 'p-alice');

    const shown = await h.call('GET', '/v2.0/quotas/p-alice', undefined, ALICE);
    assert.equal(shown.body.quota.network, 3);
    const details = await h.call('GET', '/v2.0/quotas/p-alice/details.json', undefined, ALICE);
    assert.deepEqual(details.body.quota.network, { limit: 3, used: 0, reserved: 0 });

    assert.equal((await h.call('DELETE', '/v2.0/quotas/p-bob', undefined, ADMIN)).status, 204);
    const ext = await h.call('GET', '/v2.0/extensions');
    const aliases = ext.body.extensions.map((e: { alias: string }) => e.alias);
    assert.ok(aliases.includes('quotas') && aliases.includes('quota_details'));
  });

  test('networks: 20 parallel creates against network=3 make exactly 3; the rest 409 OverQuota', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => h.call('POST', '/v2.0/networks', { network: { name: `q-${i}` } }, ALICE)));
    const codes = answers.map((a) => a.status);
    assert.equal(codes.filter((c) => c === 201).length, 3, codes.join(','));
    const err = neutronError(answers.find((a) => a.status === 409)!, 409, 'OverQuota');
    assert.equal(err.message, "Quota exceeded for resources: ['network'].");
    const details = await h.call('GET', '/v2.0/quotas/p-alice/details.json', undefined, ALICE);
    assert.deepEqual(details.body.quota.network, { limit: 3, used: 3, reserved: 0 });
    // check_limit refuses a limit below what is used.
    neutronError(await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { network: 2, check_limit: true } }), 400);
    // Another project is not affected.
    assert.equal((await h.call('POST', '/v2.0/networks', { network: { name: 'bob' } }, BOB)).status, 201);
  });

  test('ports: 50 parallel creates against port=10 make exactly 10', async () => {
    await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { port: 10, subnet: 1 } });
    const nets = await h.call('GET', '/v2.0/networks', undefined, ALICE);
    const net = nets.body.networks.find((n: { project_id: string }) => n.project_id === 'p-alice').id;
    const sub = await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.9.0.0/24', ip_version: 4 } }, ALICE);
    assert.equal(sub.status, 201, sub.text);
    neutronError(await h.call('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.9.1.0/24', ip_version: 4 } }, ALICE), 409, 'OverQuota');
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => h.call('POST', '/v2.0/ports', { port: { network_id: net, name: `p-${i}` } }, ALICE)));
    const codes = answers.map((a) => a.status);
    assert.equal(codes.filter((c) => c === 201).length, 10, codes.join(','));
    assert.equal(codes.filter((c) => c === 409).length, 40, codes.join(','));
    const ports = await h.call('GET', `/v2.0/ports?network_id=${net}`, undefined, ALICE);
    assert.equal(ports.body.ports.length, 10);
    // A bulk create that would pass the limit makes nothing.
    await h.call('PUT', '/v2.0/quotas/p-alice', { quota: { port: 11 } });
    neutronError(await h.call('POST', '/v2.0/ports', { ports: [{ network_id: net }, { network_id: net }] }, ALICE), 409, 'OverQuota');
    assert.equal((await h.call('GET', `/v2.0/ports?network_id=${net}`, undefined, ALICE)).body.ports.length, 10);
  });

  test('routers, security groups and rules are limited too', async () => {
    await h.call('PUT', '/v2.0/quotas/p-bob', { quota: { router: 1, security_group: 1, security_group_rule: 0 } });
    assert.equal((await h.call('POST', '/v2.0/routers', { router: { name: 'r1' } }, BOB)).status, 201);
    neutronError(await h.call('POST', '/v2.0/routers', { router: { name: 'r2' } }, BOB), 409, 'OverQuota');
    const sg = await h.call('POST', '/v2.0/security-groups', { security_group: { name: 'g1' } }, BOB);
    // Bob's default group (made on first use) counts: one group is all he may have.
    const groups = (await h.call('GET', '/v2.0/security-groups', undefined, BOB)).body.security_groups.length;
    if (sg.status === 201) assert.equal(groups, 1);
    else neutronError(sg, 409, 'OverQuota');
    neutronError(await h.call('POST', '/v2.0/security-groups', { security_group: { name: 'g2' } }, BOB), 409, 'OverQuota');
    const any = (await h.call('GET', '/v2.0/security-groups', undefined, BOB)).body.security_groups[0].id;
    neutronError(await h.call('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: any, direction: 'ingress' } }, BOB), 409, 'OverQuota');
  });
});
