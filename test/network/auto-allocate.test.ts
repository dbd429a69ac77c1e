/**
 * Auto-allocated topology (get-me-a-network) on the top Neutron: `is_default` on external networks, the
 * first GET making network, subnets from the default pools and a router gatewayed on the default
 * external network, later GETs answering the same network, dry-run, policy, and DELETE.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { ADMIN, ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

describeEachDatabase('top Neutron: auto-allocated topology', (dialect) => {
  let h: NeutronHarness;
  let ext: string;
  before(async () => {
    h = await startNeutron(dialect);
    await h.addPods({ Pod1: 'az1', Pod2: 'az2' });
  });
  after(async () => h?.close());

  const topology = (who = ALICE, project = 'p-alice', query = '') => h.call('GET', `/v2.0/auto-allocated-topology/${project}${query}`, undefined, who);

  test('without a default external network or default pools the requirements are a 409 AutoAllocationFailure', async () => {
    let err = neutronError(await topology(ALICE, 'p-alice', '?fields=dry-run'), 409, 'AutoAllocationFailure');
    assert.equal(err.message, 'Deployment error: No default router:external network.');
    const made = await h.call('POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true, is_default: true, availability_zone_hints: ['Pod2'] } });
    assert.equal(made.status, 201, made.text);
    ext = made.body.network.id;
    assert.equal(made.body.network.is_default, true);
    const sub = await h.call('POST', '/v2.0/subnets', { subnet: { network_id: ext, ip_version: 4, cidr: '172.24.8.0/24', enable_dhcp: false } });
    assert.equal(sub.status, 201, sub.text);
    err = neutronError(await topology(), 409, 'AutoAllocationFailure');
    assert.equal(err.message, 'Deployment error: No default subnetpools defined.');
    // Nothing was left behind by the refused request.
    assert.equal((await h.call('GET', '/v2.0/networks?name=auto_allocated_network')).body.networks.length, 0);
  });

  test('is_default: admin only, external networks only, one per deployment', async () => {
    neutronError(await h.call('POST', '/v2.0/networks', { network: { name: 'n', is_default: false } }, ALICE), 403, 'PolicyNotAuthorized');
    const internal = await h.call('POST', '/v2.0/networks', { network: { name: 'internal', is_default: true } });
    assert.equal(internal.status, 201, internal.text);
    assert.equal('is_default' in internal.body.network, false, 'an internal network does not carry is_default');
    const second = await h.call('POST', '/v2.0/networks', { network: { name: 'ext2', 'router:external': true, is_default: true, availability_zone_hints: ['Pod1'] } });
    const err = neutronError(second, 409, 'DefaultExternalNetworkExists');
    assert.equal(err.message, `A default external network already exists: ${ext}.`);
    const ext2 = await h.call('POST', '/v2.0/networks', { network: { name: 'ext2', 'router:external': true, availability_zone_hints: ['Pod1'] } });
    assert.equal(ext2.status, 201, ext2.text);
    assert.equal(ext2.body.network.is_default, false);
    neutronError(await h.call('PUT', `/v2.0/networks/${ext2.body.network.id}`, { network: { is_default: true } }), 409, 'DefaultExternalNetworkExists');
    const filtered = await h.call('GET', '/v2.0/networks?is_default=true');
    assert.deepEqual(
      filtered.body.networks.map((n: { id: string }) => n.id),
      [ext],
    );
    assert.equal((await h.call('DELETE', `/v2.0/networks/${ext2.body.network.id}`)).status, 204);
    assert.equal((await h.call('DELETE', `/v2.0/networks/${internal.body.network.id}`)).status, 204);
  });

  test('the first GET makes the topology, later GETs answer the same network; DELETE removes it', async () => {
    const pool = await h.call('POST', '/v2.0/subnetpools', {
      subnetpool: { name: 'default-v4', prefixes: ['10.200.0.0/16'], default_prefixlen: 26, is_default: true, shared: true },
    });
    assert.equal(pool.status, 201, pool.text);

    const dry = await topology(ALICE, 'p-alice', '?fields=dry-run');
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.body.auto_allocated_topology.id, 'dry-run=pass');
    assert.equal((await h.call('GET', '/v2.0/networks?name=auto_allocated_network')).body.networks.length, 0, 'a dry run makes nothing');
    neutronError(await topology(ALICE, 'p-alice', '?fields=name'), 400);

    neutronError(await topology(BOB, 'p-alice'), 403, 'PolicyNotAuthorized');
    neutronError(await h.call('DELETE', '/v2.0/auto-allocated-topology/p-alice', undefined, BOB), 403, 'PolicyNotAuthorized');

    const first = await topology();
    assert.equal(first.status, 200, first.text);
    const got = first.body.auto_allocated_topology;
    assert.deepEqual(Object.keys(got).sort(), ['id', 'project_id', 'tenant_id']);
    assert.equal(got.project_id, 'p-alice');

    const network = (await h.call('GET', `/v2.0/networks/${got.id}`, undefined, ALICE)).body.network;
    assert.equal(network.name, 'auto_allocated_network');
    assert.equal(network.project_id, 'p-alice');
    assert.equal(network.admin_state_up, true, 'up once the topology is complete');
    assert.equal(network.subnets.length, 1);
    const subnet = (await h.call('GET', `/v2.0/subnets/${network.subnets[0]}`, undefined, ALICE)).body.subnet;
    assert.equal(subnet.name, 'auto_allocated_subnet_v4');
    assert.equal(subnet.subnetpool_id, pool.body.subnetpool.id);
    assert.match(subnet.cidr, /^10\.200\.\d+\.\d+\/26$/);

    const routers = (await h.call('GET', '/v2.0/routers?name=auto_allocated_router', undefined, ALICE)).body.routers;
    assert.equal(routers.length, 1);
    assert.equal(routers[0].external_gateway_info.network_id, ext);
    const iface = (await h.call('GET', `/v2.0/ports?device_id=${routers[0].id}&device_owner=network:router_interface`, undefined, ALICE)).body.ports;
    assert.equal(iface.length, 1);
    assert.equal(iface[0].fixed_ips[0].subnet_id, subnet.id);

    const again = await topology();
    assert.equal(again.body.auto_allocated_topology.id, got.id, 'the same network on a later GET');
    const byAdmin = await topology(ADMIN, 'p-alice');
    assert.equal(byAdmin.body.auto_allocated_topology.id, got.id, 'an admin reads another project’s topology');
    assert.equal((await h.call('GET', '/v2.0/networks?name=auto_allocated_network', undefined, ALICE)).body.networks.length, 1);

    assert.equal((await h.call('DELETE', '/v2.0/auto-allocated-topology/p-alice', undefined, ALICE)).status, 204);
    neutronError(await h.call('GET', `/v2.0/networks/${got.id}`, undefined, ALICE), 404, 'NetworkNotFound');
    assert.equal((await h.call('GET', '/v2.0/routers?name=auto_allocated_router', undefined, ALICE)).body.routers.length, 0);
    assert.equal((await h.call('DELETE', '/v2.0/auto-allocated-topology/p-alice', undefined, ALICE)).status, 204, 'nothing to delete is no error');
  });

  test('concurrent first requests of one project end with one topology', async () => {
    const answers = await Promise.all([topology(BOB, 'p-bob'), topology(BOB, 'p-bob'), topology(BOB, 'p-bob')]);
    for (const a of answers) assert.equal(a.status, 200, a.text);
    const ids = new Set(answers.map((a) => a.body.auto_allocated_topology.id));
    assert.equal(ids.size, 1, 'every request answers the recorded network');
    assert.equal((await h.call('GET', '/v2.0/networks?name=auto_allocated_network', undefined, BOB)).body.networks.length, 1);
    assert.equal((await h.call('GET', '/v2.0/routers?name=auto_allocated_router', undefined, BOB)).body.routers.length, 1);
    // A network deleted by hand (after its router) is not answered again: the next GET makes a new one.
    const [id] = [...ids];
    assert.equal((await h.call('DELETE', '/v2.0/auto-allocated-topology/p-bob', undefined, BOB)).status, 204);
    const fresh = await topology(BOB, 'p-bob');
    assert.notEqual(fresh.body.auto_allocated_topology.id, id);
  });

  test('the extension is listed', async () => {
    const ext = await h.call('GET', '/v2.0/extensions/auto-allocated-topology');
    assert.equal(ext.status, 200, ext.text);
    assert.equal(ext.body.extension.alias, 'auto-allocated-topology');
  });
});
