import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCinderEnv, type CinderEnv } from './support.js';

// Admin views merged across pods: os-services, pools, capabilities, os-hosts, clusters, manageable
// lists, extensions and resource filters. One database is enough: these views keep no table.
describe('Cinder gateway: admin views across pods', () => {
  let env: CinderEnv;

  before(async () => {
    env = await startCinderEnv({ extra: { cinder_apigw: { list_pod_timeout: 2, down_pod_probe_interval: 0 } } });
  });
  after(async () => {
    await env?.close();
  });

  const v = (version: string) => ({ 'openstack-api-version': `volume ${version}` });

  test('os-services: both pods, hosts prefixed by the region, zones the top AZs; members are refused', async () => {
    const res = await env.call('admin', 'GET', '/os-services');
    assert.equal(res.status, 200, res.text);
    const volumeServices = res.body.services.filter((s: any) => s.binary === 'cinder-volume');
    assert.deepEqual(volumeServices.map((s: any) => s.host.split(':')[0]).sort(), ['Pod1', 'Pod2']);
    for (const s of volumeServices) assert.equal(s.zone, s.host.startsWith('Pod1:') ? 'az1' : 'az2');
    assert.equal((await env.call('demo', 'GET', '/os-services')).status, 403);
    const one = await env.call('admin', 'GET', `/os-services?host=${encodeURIComponent(volumeServices[0].host)}`);
    assert.deepEqual(
      one.body.services.map((s: any) => s.host),
      [volumeServices[0].host],
    );
  });

  test('os-services disable/enable is routed to the named pod; an unknown pod prefix is 404, a missing host 400', async () => {
    const list = await env.call('admin', 'GET', '/os-services');
    const pod2 = list.body.services.find((s: any) => s.binary === 'cinder-volume' && s.host.startsWith('Pod2:'));
    const off = await env.call('admin', 'PUT', '/os-services/disable-log-reason', { body: { host: pod2.host, binary: 'cinder-volume', disabled_reason: 'maintenance' } });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.host, pod2.host);
    assert.equal(off.body.status, 'disabled');
    const inPod = await env.pod('Pod2', 'admin', 'GET', '/os-services');
    assert.equal(inPod.body.services.find((s: any) => s.binary === 'cinder-volume').status, 'disabled');
    const pod1 = await env.pod('Pod1', 'admin', 'GET', '/os-services');
    assert.equal(pod1.body.services.find((s: any) => s.binary === 'cinder-volume').status, 'enabled', 'the other pod is untouched');
    assert.equal((await env.call('admin', 'PUT', '/os-services/enable', { body: { host: pod2.host, binary: 'cinder-volume' } })).body.status, 'enabled');
    assert.equal((await env.call('admin', 'PUT', '/os-services/enable', { body: { host: 'Nowhere:x', binary: 'cinder-volume' } })).status, 404);
    assert.equal((await env.call('admin', 'PUT', '/os-services/enable', { body: {} })).status, 400);
    assert.equal((await env.call('admin', 'PUT', '/os-services/freeze', { body: { host: pod2.host } })).status, 200);
    assert.equal((await env.call('admin', 'PUT', '/os-services/thaw', { body: { host: pod2.host } })).status, 200);
    const logs = await env.call('admin', 'PUT', '/os-services/get-log', { body: {} });
    assert.equal(logs.status, 200, logs.text);
    assert.ok(logs.body.log_levels.some((l: any) => l.host.startsWith('Pod1:')) && logs.body.log_levels.some((l: any) => l.host.startsWith('Pod2:')));
  });

  test('pools, capabilities, os-hosts and clusters are merged and routed the same way', async () => {
    const pools = await env.call('admin', 'GET', '/scheduler-stats/get_pools?detail=true');
    assert.equal(pools.status, 200, pools.text);
    assert.deepEqual(pools.body.pools.map((p: any) => p.name.split(':')[0]).sort(), ['Pod1', 'Pod2']);
    assert.ok(pools.body.pools.every((p: any) => typeof p.capabilities.total_capacity_gb === 'number'));

    const backend = pools.body.pools.find((p: any) => p.name.startsWith('Pod1:')).name.split('#')[0];
    const caps = await env.call('admin', 'GET', `/capabilities/${encodeURIComponent(backend)}`);
    assert.equal(caps.status, 200, caps.text);
    assert.equal(caps.body.volume_backend_name, 'lvmdriver-1');

    const hosts = await env.call('admin', 'GET', '/os-hosts');
    assert.equal(hosts.status, 200);
    assert.ok(hosts.body.hosts.every((h: any) => /^Pod[12]:/.test(h.host_name)));
    const one = await env.call('admin', 'GET', `/os-hosts/${encodeURIComponent(backend)}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.host[0].resource.host, backend);

    assert.equal((await env.call('admin', 'GET', '/clusters')).status, 404, 'clusters are 3.7+');
    const clusters = await env.call('admin', 'GET', '/clusters/detail', { headers: v('3.7') });
    assert.equal(clusters.status, 200, clusters.text);
    const name = clusters.body.clusters.find((c: any) => c.name.startsWith('Pod2:')).name;
    const shown = await env.call('admin', 'GET', `/clusters/${encodeURIComponent(name)}`, { headers: v('3.7') });
    assert.equal(shown.body.cluster.name, name);
    const off = await env.call('admin', 'PUT', '/clusters/disable', { body: { name, binary: 'cinder-volume', disabled_reason: 'x' }, headers: v('3.7') });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.cluster.status, 'disabled');
    assert.equal((await env.call('admin', 'PUT', '/clusters/enable', { body: { name, binary: 'cinder-volume' }, headers: v('3.7') })).body.cluster.status, 'enabled');
  });

  test('a pod that is down is left out of merged views and named in the header', async () => {
    await env.cluster.setFaults('Pod2', { down: true });
    try {
      const res = await env.call('admin', 'GET', '/os-services');
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-tricircle-unavailable-pods'], 'Pod2');
      assert.ok(res.body.services.every((s: any) => s.host.startsWith('Pod1:')));
    } finally {
      await env.cluster.setFaults('Pod2', { down: false });
    }
  });

  test('manageable lists need a pod-prefixed host; extensions and resource filters come from a pod', async () => {
    const vol = await env.call('admin', 'POST', '/volumes', { body: { volume: { size: 1, availability_zone: 'az1' } } });
    assert.equal(vol.status, 202);
    assert.equal((await env.call('admin', 'GET', '/manageable_volumes', { headers: v('3.8') })).status, 400);
    const services = await env.call('admin', 'GET', '/os-services');
    const host = services.body.services.find((s: any) => s.binary === 'cinder-volume' && s.host.startsWith('Pod1:')).host;
    const list = await env.call('admin', 'GET', `/manageable_volumes/detail?host=${encodeURIComponent(host)}`, { headers: v('3.8') });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body['manageable-volumes'].some((m: any) => m.cinder_id === vol.body.volume.id));
    assert.equal((await env.call('demo', 'GET', `/manageable_volumes?host=${encodeURIComponent(host)}`, { headers: v('3.8') })).status, 403);
    const manage = await env.call('admin', 'POST', '/manageable_volumes', { body: { volume: { host, ref: { 'source-name': 'lvol0' } } } });
    assert.equal(manage.status, 400, 'the pod has no such backend volume');

    const ext = await env.call('demo', 'GET', '/extensions');
    assert.equal(ext.status, 200);
    assert.ok(ext.body.extensions.some((e: any) => e.alias === 'os-volume-transfer'));
    const filters = await env.call('demo', 'GET', '/resource_filters?resource=snapshot', { headers: v('3.33') });
    assert.equal(filters.status, 200);
    assert.deepEqual(
      filters.body.resource_filters.map((f: any) => f.resource),
      ['snapshot'],
    );
  });
});
