import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import type { RunningTricircle } from '../../src/server.js';
import { ADMIN, ALICE, neutronError } from './support.js';

/**
 * Two Tricircle instances on one database, as two processes behind a load balancer would be: requests
 * alternate between them, so uniqueness rests on the database, not on one process's memory.
 */
describeEachDatabase('top Neutron: IPAM and VLAN allocation under concurrency', (dialect) => {
  let scratch: ScratchDatabase;
  const instances: RunningTricircle[] = [];
  const extra = { tricircle: { network_vlan_ranges: 'bridge:100:139' } };
  const base = (i: number) => instances[i % instances.length].urls['neutron-api']!;
  const call = (i: number, method: string, path: string, body?: unknown, who = ADMIN) => http(method, `${base(i)}${path}`, { body, headers: who });

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    instances.push(await startTestTricircle({ databaseUrl: scratch.url, only: ['neutron-api'], extra }));
    instances.push(await startTestTricircle({ databaseUrl: scratch.url, only: ['neutron-api'], extra }));
  });
  after(async () => {
    for (const tc of instances) await tc.close();
    await scratch?.drop();
  });

  test('50 parallel port creates on one subnet get 50 distinct addresses and MACs', async () => {
    const net = (await call(0, 'POST', '/v2.0/networks', { network: { name: 'busy', shared: true } })).body.network.id;
    const subnet = (await call(0, 'POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '10.0.0.0/24' } })).body.subnet.id;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i, 'POST', '/v2.0/ports', { port: { network_id: net, name: `p${i}` } }, i % 3 ? ALICE : ADMIN)));
    for (const r of results) assert.equal(r.status, 201, r.text);
    const ips = results.map((r) => r.body.port.fixed_ips[0].ip_address);
    const macs = results.map((r) => r.body.port.mac_address);
    assert.equal(new Set(ips).size, 50, 'distinct IPs');
    assert.equal(new Set(macs).size, 50, 'distinct MACs');
    for (const r of results) assert.equal(r.body.port.fixed_ips[0].subnet_id, subnet);
    const rows = await instances[0].db.kysely.selectFrom('ip_allocations').select(['ip_address', 'port_id']).where('subnet_id', '=', subnet).execute();
    assert.equal(rows.length, 50);
    const defaults = await instances[0].db.kysely.selectFrom('default_security_groups').selectAll().execute();
    assert.equal(defaults.length, 2, 'one default group per project even when made concurrently');
  });

  test('a subnet with 10 free addresses serves 10 of 16 parallel creates; the rest get 409', async () => {
    const net = (await call(0, 'POST', '/v2.0/networks', { network: { name: 'tight' } })).body.network.id;
    await call(1, 'POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr: '10.1.0.0/28', allocation_pools: [{ start: '10.1.0.2', end: '10.1.0.11' }] } });
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => call(i, 'POST', '/v2.0/ports', { port: { network_id: net } })));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    assert.equal(ok.length, 10);
    for (const r of refused) neutronError(r, 409, 'IpAddressGenerationFailure');
    assert.equal(new Set(ok.map((r) => r.body.port.fixed_ips[0].ip_address)).size, 10);
    const portIds = new Set((await instances[0].db.kysely.selectFrom('ports').select('id').where('network_id', '=', net).execute()).map((p) => p.id));
    assert.equal(portIds.size, 10, 'refused creates left no port behind');
  });

  test('30 parallel vlan networks get distinct VLANs; exhaustion is 503 NoNetworkAvailable; delete releases', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => call(i, 'POST', '/v2.0/networks', { network: { name: `v${i}` } }, i % 2 ? ALICE : ADMIN)));
    for (const r of results) assert.equal(r.status, 201, r.text);
    const ids = results.map((r) => r.body.network.id as string);
    const rows = await instances[0].db.kysely.selectFrom('segment_allocations').selectAll().where('network_id', 'in', ids).execute();
    assert.equal(rows.length, 30);
    assert.equal(new Set(rows.map((r) => r.segmentation_id)).size, 30, 'distinct VLAN ids');
    for (const r of rows) assert.ok(r.segmentation_id >= 100 && r.segmentation_id <= 139);

    const rest = await Promise.all(Array.from({ length: 14 }, (_, i) => call(i, 'POST', '/v2.0/networks', { network: { name: `w${i}` } })));
    const made = rest.filter((r) => r.status === 201);
    assert.equal(made.length, 40 - 30 - 2, 'the two networks of the first test hold VLANs too');
    for (const r of rest.filter((x) => x.status !== 201)) {
      const err = neutronError(r, 503, 'NoNetworkAvailable');
      assert.equal(err.message, 'Unable to create the network. No tenant network is available for allocation.');
    }
    const all = await instances[0].db.kysely.selectFrom('segment_allocations').selectAll().execute();
    assert.equal(new Set(all.map((r) => r.segmentation_id)).size, 40);

    const freed = (
      await instances[0].db.kysely.selectFrom('segment_allocations').select(['network_id', 'segmentation_id']).where('network_id', '=', ids[0]).executeTakeFirstOrThrow()
    ).segmentation_id;
    assert.equal((await call(0, 'DELETE', `/v2.0/networks/${ids[0]}`)).status, 204);
    const again = await call(1, 'POST', '/v2.0/networks', { network: { name: 'again' } });
    assert.equal(again.status, 201);
    assert.equal(again.body.network['provider:segmentation_id'], freed, 'the released VLAN is the only free one');
    const local = await call(0, 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'local' } });
    assert.equal(local.status, 201, 'local networks need no segment');
  });
});
