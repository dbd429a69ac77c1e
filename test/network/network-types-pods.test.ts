import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrepareHarness, type PrepareHarness } from './prepare-support.js';

/** flat and vxlan networks in the pods: what their copies carry, and where they may live. */
describe('top Neutron: flat and vxlan networks in the pods', () => {
  let h: PrepareHarness;
  before(async () => {
    h = await startPrepareHarness('sqlite', { tricircle: { type_drivers: 'local,flat,vlan,vxlan', vni_ranges: '6000:6009' } });
  });
  after(async () => h?.close());

  const copy = async (region: string, topId: string) => ((await h.pod(region, 'GET', `/v2.0/networks?name=${topId}`)).body.networks as any[])[0];

  test('a vxlan network lives in the first pod that needs it, with its VNI; another pod is refused with 400', async () => {
    const { net } = await h.network('10.31.0.0/24', { 'provider:network_type': 'vxlan' }, h.adminToken);
    const vni = (await h.top('GET', `/v2.0/networks/${net.id}`, undefined, h.adminToken)).body.network['provider:segmentation_id'];
    assert.ok(vni >= 6000 && vni <= 6009, `VNI ${vni} from the configured range`);
    const adminCtx = await h.adminContext();
    await h.preparer.prepareServerNics(adminCtx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-vx1' });
    const c = await copy('Pod1', net.id);
    assert.equal(c['provider:network_type'], 'vxlan');
    assert.equal(c['provider:segmentation_id'], vni);
    await assert.rejects(h.preparer.prepareServerNics(adminCtx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-vx2' }), (err: any) => {
      assert.equal(err.status, 400);
      assert.match(err.message, /a vxlan network lives in one pod only/);
      return true;
    });
    assert.equal(await copy('Pod2', net.id), undefined);
  });

  test('a flat network spans pods on its physical network, each pod with its own gateway address', async () => {
    const { net } = await h.network('10.32.0.0/24', { 'provider:network_type': 'flat', 'provider:physical_network': 'bridge' }, h.adminToken);
    const adminCtx = await h.adminContext();
    await h.preparer.prepareServerNics(adminCtx, h.pods.Pod1, [{ networkId: net.id }], { serverId: 'srv-f1' });
    await h.preparer.prepareServerNics(adminCtx, h.pods.Pod2, [{ networkId: net.id }], { serverId: 'srv-f2' });
    const gateways: string[] = [];
    for (const region of ['Pod1', 'Pod2']) {
      const c = await copy(region, net.id);
      assert.equal(c['provider:network_type'], 'flat');
      assert.equal(c['provider:physical_network'], 'bridge');
      assert.equal(c['provider:segmentation_id'], null);
      const sub = ((await h.pod(region, 'GET', `/v2.0/subnets?network_id=${c.id}`)).body.subnets as any[])[0];
      gateways.push(sub.gateway_ip);
    }
    assert.notEqual(gateways[0], gateways[1], 'a network spanning pods gets a gateway address per pod');
  });
});
