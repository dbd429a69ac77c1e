import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { assertSampleShape } from '../support/shapes.js';
import { ALICE, BOB, neutronError, startNeutron, type NeutronHarness } from './support.js';

describeEachDatabase('top Neutron: network segment ranges, segments and network types', (dialect) => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron(dialect, {
      tricircle: { type_drivers: 'local,flat,vlan,vxlan', tenant_network_types: 'vlan,vxlan', network_vlan_ranges: 'bridge:2001:2003,extern', vni_ranges: '5000:5001' },
    });
  });
  after(async () => h?.close());

  const ranges = async (query = '') => (await h.call('GET', `/v2.0/network_segment_ranges${query}`)).body.network_segment_ranges as any[];

  describe('segment ranges', () => {
    test('configuration seeds the default ranges, read-only', async () => {
      const all = await ranges('?sort_key=network_type&sort_dir=asc');
      assert.deepEqual(
        all.map((r) => [r.network_type, r.physical_network, r.minimum, r.maximum, r.default, r.shared, r.project_id]),
        [
          ['vlan', 'bridge', 2001, 2003, true, true, null],
          ['vxlan', null, 5000, 5001, true, true, null],
        ],
      );
      assert.deepEqual(all[0].available, [2001, 2002, 2003]);
      assert.deepEqual(all[0].used, {});
      neutronError(await h.call('PUT', `/v2.0/network_segment_ranges/${all[0].id}`, { network_segment_range: { name: 'x' } }), 400, 'NetworkSegmentRangeDefaultReadOnly');
      neutronError(await h.call('DELETE', `/v2.0/network_segment_ranges/${all[0].id}`), 400, 'NetworkSegmentRangeDefaultReadOnly');
      neutronError(await h.call('GET', '/v2.0/network_segment_ranges?physical_network=bridge&bogus=1'), 400);
      assert.equal((await ranges('?network_type=vxlan')).length, 1);
    });

    test('members see no ranges and cannot create them', async () => {
      const listed = await h.call('GET', '/v2.0/network_segment_ranges', undefined, ALICE);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.network_segment_ranges, []);
      neutronError(
        await h.call('POST', '/v2.0/network_segment_ranges', { network_segment_range: { network_type: 'vxlan', minimum: 1, maximum: 2 } }, ALICE),
        403,
        'PolicyNotAuthorized',
      );
    });

    test('validation: type, physical network, bounds, sharing', async () => {
      const post = (r: Record<string, unknown>) => h.call('POST', '/v2.0/network_segment_ranges', { network_segment_range: r });
      neutronError(await post({ network_type: 'flat', minimum: 1, maximum: 2 }), 400, 'InvalidInput');
      neutronError(await post({ network_type: 'vlan', minimum: 1, maximum: 2 }), 400, 'InvalidInput');
      neutronError(await post({ network_type: 'vxlan', physical_network: 'x', minimum: 1, maximum: 2 }), 400, 'InvalidInput');
      neutronError(await post({ network_type: 'vlan', physical_network: 'bridge', minimum: 10, maximum: 5000 }), 400, 'InvalidInput');
      neutronError(await post({ network_type: 'vlan', physical_network: 'bridge', minimum: 10, maximum: 5 }), 400, 'InvalidInput');
      neutronError(await post({ network_type: 'vxlan', minimum: 1, maximum: 2, shared: false }), 400, 'InvalidInput');
      neutronError(await post({ network_type: 'vxlan', minimum: 1, maximum: 2, project_id: 'p-bob' }), 400, 'InvalidInput');
      neutronError(await post({ network_type: 'vxlan', minimum: 1, maximum: 2, default: true }), 400);
      neutronError(await post({ network_type: 'vxlan', minimum: 1 }), 400);
    });

    test('a project range is used first by that project; shrinking or deleting it is refused while used', async () => {
      const res = await h.call('POST', '/v2.0/network_segment_ranges', {
        network_segment_range: { name: 'bob-vlans', network_type: 'vlan', physical_network: 'extern', minimum: 300, maximum: 301, shared: false, project_id: 'p-bob' },
      });
      assert.equal(res.status, 201);
      const r = res.body.network_segment_range;
      assert.equal(r.default, false);
      assert.equal(r.revision_number, 1);
      assert.deepEqual(r.available, [300, 301]);

      const bobNet = (await h.call('POST', '/v2.0/networks', { network: { name: 'b' } }, BOB)).body.network;
      const seg = (await h.call('GET', `/v2.0/segments?network_id=${bobNet.id}`)).body.segments[0];
      assert.equal(seg.network_type, 'vlan');
      assert.equal(seg.physical_network, 'extern');
      assert.ok([300, 301].includes(seg.segmentation_id));

      const aliceNet = (await h.call('POST', '/v2.0/networks', { network: { name: 'a' } }, ALICE)).body.network;
      const aseg = (await h.call('GET', `/v2.0/segments?network_id=${aliceNet.id}`)).body.segments[0];
      assert.equal(aseg.physical_network, 'bridge');

      const shown = (await h.call('GET', `/v2.0/network_segment_ranges/${r.id}`)).body.network_segment_range;
      assert.deepEqual(shown.used, { [String(seg.segmentation_id)]: 'p-bob' });
      assert.equal(shown.available.length, 1);

      const other = seg.segmentation_id === 300 ? 301 : 300;
      neutronError(
        await h.call('PUT', `/v2.0/network_segment_ranges/${r.id}`, { network_segment_range: { minimum: other, maximum: other } }),
        409,
        'NetworkSegmentRangeReferencedByProject',
      );
      neutronError(await h.call('DELETE', `/v2.0/network_segment_ranges/${r.id}`), 409, 'NetworkSegmentRangeReferencedByProject');
      const renamed = await h.call('PUT', `/v2.0/network_segment_ranges/${r.id}`, { network_segment_range: { name: 'renamed', maximum: 310 } }, undefined);
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.network_segment_range.revision_number, 2);
      assert.equal(renamed.body.network_segment_range.maximum, 310);
      const stale = await h.tc.db.kysely.selectFrom('network_segment_ranges').select('revision_number').where('id', '=', r.id).executeTakeFirstOrThrow();
      assert.equal(Number(stale.revision_number), 2);

      assert.equal((await h.call('DELETE', `/v2.0/networks/${bobNet.id}`, undefined, BOB)).status, 204);
      assert.equal((await h.call('DELETE', `/v2.0/network_segment_ranges/${r.id}`)).status, 204);
      neutronError(await h.call('GET', `/v2.0/network_segment_ranges/${r.id}`), 404, 'NetworkSegmentRangeNotFound');
      assert.equal((await h.call('DELETE', `/v2.0/networks/${aliceNet.id}`, undefined, ALICE)).status, 204);
    });

    test('tenant networks fall back to vxlan when the vlan ranges are exhausted, then 503', async () => {
      const made: string[] = [];
      const types: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await h.call('POST', '/v2.0/networks', { network: { name: `t${i}` } }, ALICE);
        assert.equal(res.status, 201, res.text);
        made.push(res.body.network.id);
        types.push((await h.call('GET', `/v2.0/networks/${res.body.network.id}`)).body.network['provider:network_type']);
      }
      assert.deepEqual(types, ['vlan', 'vlan', 'vlan', 'vxlan', 'vxlan']);
      neutronError(await h.call('POST', '/v2.0/networks', { network: { name: 'full' } }, ALICE), 503, 'NoNetworkAvailable');
      const vx = (await ranges('?network_type=vxlan'))[0];
      assert.deepEqual(vx.available, []);
      assert.deepEqual(Object.keys(vx.used).sort(), ['5000', '5001']);
      // A range made through the API serves the next network.
      const added = await h.call('POST', '/v2.0/network_segment_ranges', { network_segment_range: { network_type: 'vxlan', minimum: 7000, maximum: 7000 } });
      assert.equal(added.status, 201);
      const next = await h.call('POST', '/v2.0/networks', { network: { name: 'more' } }, ALICE);
      assert.equal(next.status, 201);
      assert.equal((await h.call('GET', `/v2.0/networks/${next.body.network.id}`)).body.network['provider:segmentation_id'], 7000);
      for (const id of [...made, next.body.network.id]) assert.equal((await h.call('DELETE', `/v2.0/networks/${id}`, undefined, ALICE)).status, 204);
      assert.equal((await h.call('DELETE', `/v2.0/network_segment_ranges/${added.body.network_segment_range.id}`)).status, 204);
    });
  });

  describe('network types', () => {
    test('flat: one network per physical network; vxlan: admin-chosen VNI, no physical network', async () => {
      const flat = await h.call('POST', '/v2.0/networks', { network: { name: 'f', 'provider:network_type': 'flat', 'provider:physical_network': 'extern' } });
      assert.equal(flat.status, 201, flat.text);
      assert.equal(flat.body.network['provider:segmentation_id'], null);
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'extern' } }), 409, 'FlatNetworkInUse');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat' } }), 400, 'InvalidInput');
      neutronError(
        await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'x', 'provider:segmentation_id': 3 } }),
        400,
        'InvalidInput',
      );
      const vx = await h.call('POST', '/v2.0/networks', { network: { name: 'v', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 90000 } });
      assert.equal(vx.status, 201, vx.text);
      assert.equal(vx.body.network['provider:physical_network'], null);
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vxlan', 'provider:segmentation_id': 90000 } }), 409, 'TunnelIdInUse');
      neutronError(await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'vxlan', 'provider:physical_network': 'extern' } }), 400, 'InvalidInput');
      for (const id of [flat.body.network.id, vx.body.network.id]) assert.equal((await h.call('DELETE', `/v2.0/networks/${id}`)).status, 204);
      const again = await h.call('POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'extern' } });
      assert.equal(again.status, 201, 'a deleted flat network gives its physical network back');
      await h.call('DELETE', `/v2.0/networks/${again.body.network.id}`);
    });
  });

  describe('segments', () => {
    test('each network with a segment has one; shape, update, filters, tags', async () => {
      const net = (await h.call('POST', '/v2.0/networks', { network: { name: 's' } }, ALICE)).body.network;
      const list = await h.call('GET', `/v2.0/segments?network_id=${net.id}`);
      assert.equal(list.status, 200);
      assertSampleShape(list.body, 'neutron', 'segments/segments-list-response.json');
      const seg = list.body.segments[0];
      const upd = await h.call('PUT', `/v2.0/segments/${seg.id}`, { segment: { name: 'seg-a', description: 'd' } });
      assert.equal(upd.status, 200);
      assertSampleShape(upd.body, 'neutron', 'segments/segment-update-response.json');
      assert.equal(upd.body.segment.name, 'seg-a');
      neutronError(await h.call('PUT', `/v2.0/segments/${seg.id}`, { segment: { segmentation_id: 5 } }), 400);
      neutronError(await h.call('GET', `/v2.0/segments/${seg.id}`, undefined, ALICE), 404, 'SegmentNotFound');
      assert.equal((await h.call('PUT', `/v2.0/segments/${seg.id}/tags/blue`)).status, 201);
      assert.equal((await h.call('GET', '/v2.0/segments?tags=blue')).body.segments.length, 1);
      neutronError(await h.call('POST', '/v2.0/segments', { segment: { network_id: net.id, network_type: 'vlan', physical_network: 'bridge' } }), 400, 'HTTPBadRequest');
      const port = (await h.call('POST', '/v2.0/ports', { port: { network_id: net.id } }, ALICE)).body.port;
      neutronError(await h.call('DELETE', `/v2.0/segments/${seg.id}`), 409, 'SegmentInUse');
      await h.call('DELETE', `/v2.0/ports/${port.id}`, undefined, ALICE);
      assert.equal((await h.call('DELETE', `/v2.0/segments/${seg.id}`)).status, 204);
      const bare = (await h.call('GET', `/v2.0/networks/${net.id}`)).body.network;
      assert.equal(bare['provider:network_type'], null);
      // A network without a segment gets one by POST /segments.
      const made = await h.call('POST', '/v2.0/segments', { segment: { network_id: net.id, network_type: 'vxlan', name: 'again' } });
      assert.equal(made.status, 201, made.text);
      assertSampleShape(made.body, 'neutron', 'segments/segment-create-response.json');
      assert.equal(made.body.segment.network_type, 'vxlan');
      assert.equal((await h.call('GET', `/v2.0/networks/${net.id}`)).body.network['provider:segmentation_id'], made.body.segment.segmentation_id);
      assert.equal((await h.call('DELETE', `/v2.0/networks/${net.id}`, undefined, ALICE)).status, 204);
      neutronError(await h.call('GET', `/v2.0/segments/${made.body.segment.id}`), 404, 'SegmentNotFound');
    });
  });
});
