import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { copiesNamed, startPrepareHarness, type PrepareHarness } from './prepare-support.js';

/** Many servers booting on one network at once, spread over two pods: one copy of everything per pod. */
describeEachDatabase('server network preparation under concurrency', (dialect) => {
  let h: PrepareHarness;

  before(async () => {
    h = await startPrepareHarness(dialect);
  });
  after(async () => {
    await h?.close();
  });

  test('20 concurrent preparations of one network leave exactly one network, subnet and DHCP port per pod', async () => {
    const { net, subnet } = await h.network('10.40.0.0/24');
    const regions = ['Pod1', 'Pod2'] as const;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.preparer.prepareServerNics(h.ctx, h.pods[regions[i % 2]], [{ networkId: net.id }], { serverId: `srv-c${i}` })),
    );
    assert.equal(results.length, 20);

    const topPorts = (await h.top('GET', `/v2.0/ports?network_id=${net.id}`, undefined, h.adminToken)).body.ports;
    const dhcpTop = topPorts.filter((p: any) => p.device_owner === 'network:dhcp');
    assert.equal(dhcpTop.length, 1);
    const vmTop = topPorts.filter((p: any) => p.device_owner.startsWith('compute:'));
    assert.equal(vmTop.length, 20);
    assert.equal(new Set(vmTop.map((p: any) => p.fixed_ips[0].ip_address)).size, 20, 'distinct addresses');

    for (const [r, region] of regions.entries()) {
      const nets = await copiesNamed(h, region, 'networks', net.id);
      assert.equal(nets.length, 1, `${region}: one network`);
      assert.equal((await copiesNamed(h, region, 'subnets', subnet.id)).length, 1, `${region}: one subnet`);
      const bottomPorts = (await h.pod(region, 'GET', `/v2.0/ports?network_id=${nets[0].id}`)).body.ports;
      const dhcp = bottomPorts.filter((p: any) => p.device_owner === 'network:dhcp');
      assert.equal(dhcp.length, 1, `${region}: one DHCP port`);
      assert.equal(dhcp[0].fixed_ips[0].ip_address, dhcpTop[0].fixed_ips[0].ip_address);
      assert.equal(dhcp[0].mac_address, dhcpTop[0].mac_address);
      const mine = results.filter((_, i) => i % 2 === r);
      const vm = bottomPorts.filter((p: any) => p.device_owner !== 'network:dhcp');
      assert.equal(vm.length, 10, `${region}: one copy per server port`);
      for (const res of mine) {
        const top = vmTop.find((p: any) => p.id === res.nics[0].topPortId);
        const copy = vm.find((p: any) => p.id === res.nics[0].bottomPortId);
        assert.equal(copy.name, top.id);
        assert.equal(copy.mac_address, top.mac_address);
        assert.equal(copy.fixed_ips[0].ip_address, top.fixed_ips[0].ip_address);
      }
    }

    const routes = await h.routes([net.id, subnet.id, dhcpTop[0].id, ...vmTop.map((p: any) => p.id)]);
    assert.ok(
      routes.every((r) => r.bottom_id !== null),
      'no claim left open',
    );
    for (const pod of Object.values(h.pods)) {
      const here = routes.filter((r) => r.pod_id === pod.id);
      assert.equal(here.filter((r) => r.resource_type === 'network').length, 1);
      assert.equal(here.filter((r) => r.resource_type === 'subnet').length, 1);
      assert.equal(here.filter((r) => r.resource_type === 'port').length, 11);
    }
    const open = await h.tc.db.kysely.selectFrom('resource_routings').select('id').where('bottom_id', 'is', null).execute();
    assert.deepEqual(open, []);
  });
});
