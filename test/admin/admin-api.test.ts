import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { startTestTricircle } from '../support/tricircle.js';
import type { RunningTricircle } from '../../src/server.js';

const MEMBER = { 'x-user-id': 'demo', 'x-project-id': 'demo', 'x-roles': 'member' };

describeEachDatabase('Admin API', (dialect) => {
  let scratch: ScratchDatabase;
  let tc: RunningTricircle;
  let base: string;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => http(method, `${base}${path}`, { body, headers });

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    tc = await startTestTricircle({ databaseUrl: scratch.url, only: ['admin-api'] });
    base = tc.urls['admin-api']!;
  });
  after(async () => {
    await tc?.close();
    await scratch?.drop();
  });

  let topId: string;
  let pod1: string;
  let pod2: string;

  describe('versions', () => {
    test('GET / lists v1.0 and GET /v1.0 documents it', async () => {
      const root = await call('GET', '/');
      assert.equal(root.status, 200);
      assert.equal(root.body.versions[0].id, 'v1.0');
      assert.equal(root.body.versions[0].links[0].href, `${base}/v1.0/`);
      const v1 = await call('GET', '/v1.0');
      assert.equal(v1.status, 200);
      assert.deepEqual(
        v1.body.version.links.map((l: { rel: string }) => l.rel),
        ['self', 'pods', 'bindings', 'routings', 'jobs'],
      );
    });
    test('other methods on version documents are 405 with Allow', async () => {
      const res = await call('POST', '/v1.0', {});
      assert.equal(res.status, 405);
      assert.match(String(res.headers.allow), /GET/);
      assert.equal(res.body.badMethod.code, 405);
    });
  });

  describe('pods', () => {
    test('the top pod is the one with no az_name', async () => {
      const res = await call('POST', '/v1.0/pods', { pod: { region_name: 'RegionOne' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.pod.region_name, 'RegionOne');
      assert.equal(res.body.pod.az_name, '');
      assert.equal(res.body.pod.pod_az_name, '');
      assert.equal(res.body.pod.disabled, false);
      assert.match(res.body.pod.pod_id, /^[0-9a-f-]{36}$/);
      topId = res.body.pod.pod_id;
    });
    test('a second top pod is 409 whether az_name is absent or empty', async () => {
      for (const pod of [{ region_name: 'RegionTwo' }, { region_name: 'RegionTwo', az_name: '' }, { pod_name: 'RegionThree', az_name: '  ' }]) {
        const res = await call('POST', '/v1.0/pods', { pod });
        assert.equal(res.status, 409, JSON.stringify(pod));
        assert.equal(res.body.conflictingRequest.message, 'Top region already exists');
      }
    });
    test('bottom pods, with pod_name accepted as an alias of region_name', async () => {
      const a = await call('POST', '/v1.0/pods', { pod: { region_name: 'Pod1', az_name: 'az1', pod_az_name: 'nova', dc_name: 'dc1' } });
      assert.equal(a.status, 200);
      assert.equal(a.body.pod.az_name, 'az1');
      assert.equal(a.body.pod.pod_az_name, 'nova');
      assert.equal(a.body.pod.dc_name, 'dc1');
      pod1 = a.body.pod.pod_id;
      const b = await call('POST', '/v1.0/pods', { pod: { pod_name: 'Pod2', az_name: 'az2' } });
      assert.equal(b.status, 200);
      assert.equal(b.body.pod.region_name, 'Pod2');
      pod2 = b.body.pod.pod_id;
    });
    test('duplicate region names are 409, also against the top pod', async () => {
      assert.equal((await call('POST', '/v1.0/pods', { pod: { region_name: 'Pod1', az_name: 'az9' } })).status, 409);
      assert.equal((await call('POST', '/v1.0/pods', { pod: { region_name: 'RegionOne', az_name: 'az1' } })).status, 409);
    });
    test('validation: missing name 422; wrong types, unknown fields, missing pod 400', async () => {
      assert.equal((await call('POST', '/v1.0/pods', { pod: { az_name: 'az3' } })).status, 422);
      assert.equal((await call('POST', '/v1.0/pods', { pod: { region_name: '', az_name: 'az3' } })).status, 422);
      const wrongType = await call('POST', '/v1.0/pods', { pod: { region_name: 5, az_name: 'az3' } });
      assert.equal(wrongType.status, 400);
      assert.match(wrongType.body.badRequest.message, /region_name/);
      assert.equal((await call('POST', '/v1.0/pods', { pod: { region_name: 'X', az_name: 'az3', colour: 'red' } })).status, 400);
      assert.equal((await call('POST', '/v1.0/pods', { pods: {} })).status, 400);
      assert.equal((await call('POST', '/v1.0/pods', { pod: { region_name: 'X', az_name: 'az3', disabled: 'maybe' } })).status, 400);
      assert.equal((await call('POST', '/v1.0/pods', { pod: { region_name: 'X', pod_name: 'Y', az_name: 'az3' } })).status, 400);
      assert.equal((await call('POST', '/v1.0/pods', { pod: { region_name: 'X', az_name: 'az3', endpoints: { compute: 'ftp:/x' } } })).status, 400);
      const list = await call('GET', '/v1.0/pods');
      assert.equal(list.body.pods.length, 3, 'no failed request left a row behind');
    });
    test('malformed JSON 400, wrong content type 415, oversized 413', async () => {
      const bad = await http('POST', `${base}/v1.0/pods`, { raw: '{"pod": ', headers: { 'content-type': 'application/json' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.badRequest.code, 400);
      const text = await http('POST', `${base}/v1.0/pods`, { raw: 'pod', headers: { 'content-type': 'text/plain' } });
      assert.equal(text.status, 415);
      assert.ok(text.body.badMediaType);
      const huge = await call('POST', '/v1.0/pods', { pod: { region_name: 'x'.repeat(2 * 1024 * 1024), az_name: 'az3' } });
      assert.equal(huge.status, 413);
      assert.ok(huge.body.overLimit);
    });
    test('list, show, update', async () => {
      const list = await call('GET', '/v1.0/pods');
      assert.deepEqual(
        list.body.pods.map((p: { region_name: string }) => p.region_name),
        ['Pod1', 'Pod2', 'RegionOne'],
      );
      const filtered = await call('GET', '/v1.0/pods?az_name=az2');
      assert.deepEqual(
        filtered.body.pods.map((p: { pod_id: string }) => p.pod_id),
        [pod2],
      );
      const show = await call('GET', `/v1.0/pods/${pod1}`);
      assert.equal(show.status, 200);
      assert.equal(show.body.pod.region_name, 'Pod1');
      assert.deepEqual(show.body.pod.endpoints, {});
      const upd = await call('PUT', `/v1.0/pods/${pod2}`, { pod: { disabled: true, dc_name: 'dc2', endpoints: { compute: 'http://127.0.0.1:8774/v2.1' } } });
      assert.equal(upd.status, 200);
      assert.equal(upd.body.pod.disabled, true);
      assert.equal(upd.body.pod.dc_name, 'dc2');
      assert.deepEqual(upd.body.pod.endpoints, { compute: 'http://127.0.0.1:8774/v2.1' });
      const cleared = await call('PUT', `/v1.0/pods/${pod2}`, { pod: { disabled: false, endpoints: { compute: null } } });
      assert.deepEqual(cleared.body.pod.endpoints, {});
      assert.equal((await call('PUT', `/v1.0/pods/${pod1}`, { pod: { az_name: '' } })).status, 409, 'a bottom pod cannot become a second top pod');
      assert.equal((await call('PUT', `/v1.0/pods/${pod1}`, { pod: { region_name: 'Pod2' } })).status, 409);
    });
    test('unknown pod ids are 404 with an itemNotFound body', async () => {
      for (const method of ['GET', 'DELETE']) {
        const res = await call(method, '/v1.0/pods/00000000-0000-0000-0000-000000000000');
        assert.equal(res.status, 404);
        assert.equal(res.body.itemNotFound.code, 404);
      }
      assert.equal((await call('PUT', '/v1.0/pods/nope', { pod: { dc_name: 'x' } })).status, 404);
    });
  });

  describe('bindings', () => {
    let bindingId: string;
    test('bind a project to a bottom pod', async () => {
      const res = await call('POST', '/v1.0/bindings', { pod_binding: { tenant_id: 'project-a', pod_id: pod1 } });
      assert.equal(res.status, 200);
      assert.equal(res.body.pod_binding.tenant_id, 'project-a');
      assert.equal(res.body.pod_binding.pod_id, pod1);
      assert.equal(res.body.pod_binding.is_binding, true);
      bindingId = res.body.pod_binding.id;
    });
    test('validation: empty fields, unknown pod and the top pod are 422; duplicates 409; missing body 400', async () => {
      assert.equal((await call('POST', '/v1.0/bindings', { pod_binding: { tenant_id: '', pod_id: pod1 } })).status, 422);
      assert.equal((await call('POST', '/v1.0/bindings', { pod_binding: { tenant_id: 'p', pod_id: 'nope' } })).status, 422);
      assert.equal((await call('POST', '/v1.0/bindings', { pod_binding: { tenant_id: 'p', pod_id: topId } })).status, 422);
      assert.equal((await call('POST', '/v1.0/bindings', { pod_binding: { tenant_id: 'project-a', pod_id: pod1 } })).status, 409);
      assert.equal((await call('POST', '/v1.0/bindings', {})).status, 400);
      assert.equal((await call('POST', '/v1.0/bindings', { pod_binding: { tenant_id: 'p', pod_id: pod1, x: 1 } })).status, 400);
    });
    test('list, show, filter', async () => {
      const list = await call('GET', '/v1.0/bindings');
      assert.equal(list.body.pod_bindings.length, 1);
      assert.equal((await call('GET', '/v1.0/bindings?tenant_id=other')).body.pod_bindings.length, 0);
      const show = await call('GET', `/v1.0/bindings/${bindingId}`);
      assert.equal(show.body.pod_binding.id, bindingId);
      assert.equal((await call('GET', '/v1.0/bindings/none')).status, 404);
    });
    test('a pod with a binding cannot be deleted (409); after unbinding it can', async () => {
      const busy = await call('DELETE', `/v1.0/pods/${pod1}`);
      assert.equal(busy.status, 409);
      assert.match(busy.body.conflictingRequest.message, /1 tenant bindings/);
      const del = await call('DELETE', `/v1.0/bindings/${bindingId}`);
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, {});
      assert.equal((await call('DELETE', `/v1.0/bindings/${bindingId}`)).status, 404);
    });
  });

  describe('routings', () => {
    const ids: number[] = [];
    test('create with validation', async () => {
      for (let i = 0; i < 7; i++) {
        const res = await call('POST', '/v1.0/routings', {
          routing: { top_id: `top-${i}`, bottom_id: `bottom-${i}`, pod_id: i % 2 ? pod1 : pod2, project_id: 'project-a', resource_type: i < 5 ? 'network' : 'port' },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.routing.top_id, `top-${i}`);
        assert.equal(typeof res.body.routing.id, 'number');
        ids.push(res.body.routing.id);
      }
      const base = { top_id: 't', bottom_id: 'b', pod_id: pod1, project_id: 'p', resource_type: 'network' };
      assert.equal((await call('POST', '/v1.0/routings', { routing: { ...base, top_id: '' } })).status, 400);
      assert.equal((await call('POST', '/v1.0/routings', { routing: { ...base, resource_type: 'teapot' } })).status, 400);
      assert.equal((await call('POST', '/v1.0/routings', { routing: { ...base, pod_id: 'nope' } })).status, 400);
      const { pod_id: _omit, ...noPod } = base;
      assert.equal((await call('POST', '/v1.0/routings', { routing: noPod })).status, 400);
      const dup = await call('POST', '/v1.0/routings', { routing: { ...base, top_id: 'top-1', pod_id: pod1 } });
      assert.equal(dup.status, 409);
    });
    test('filters', async () => {
      const ports = await call('GET', '/v1.0/routings?resource_type=port');
      assert.equal(ports.body.routings.length, 2);
      const inPod1 = await call('GET', `/v1.0/routings?pod_id=${pod1}&resource_type=network`);
      assert.deepEqual(
        inPod1.body.routings.map((r: { top_id: string }) => r.top_id),
        ['top-1', 'top-3'],
      );
      assert.equal((await call('GET', '/v1.0/routings?top_id=top-4')).body.routings[0].bottom_id, 'bottom-4');
      assert.equal((await call('GET', '/v1.0/routings?colour=red')).status, 400);
      assert.equal((await call('GET', '/v1.0/routings?resource_type=teapot')).status, 400);
      assert.equal((await call('GET', '/v1.0/routings?id=abc')).status, 400);
      assert.equal((await call('GET', '/v1.0/routings?top_id=a&top_id=b')).status, 400);
    });
    test('limit and marker pagination with next links covers every row once', async () => {
      const seen: number[] = [];
      let url: string | undefined = `${base}/v1.0/routings?limit=3`;
      let pages = 0;
      while (url) {
        const page: { status: number; body: any } = await http('GET', url);
        assert.equal(page.status, 200);
        seen.push(...page.body.routings.map((r: { id: number }) => r.id));
        url = page.body.routings_links?.find((l: { rel: string }) => l.rel === 'next')?.href;
        pages++;
      }
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);
      assert.equal((await call('GET', '/v1.0/routings?limit=-1')).status, 400);
      assert.equal((await call('GET', '/v1.0/routings?marker=999999')).status, 400);
    });
    test('show, update, delete', async () => {
      const show = await call('GET', `/v1.0/routings/${ids[0]}`);
      assert.equal(show.status, 200);
      assert.equal(show.body.routing.top_id, 'top-0');
      const upd = await call('PUT', `/v1.0/routings/${ids[0]}`, { routing: { bottom_id: 'bottom-new' } });
      assert.equal(upd.status, 200);
      assert.equal(upd.body.routing.bottom_id, 'bottom-new');
      assert.equal((await call('PUT', `/v1.0/routings/${ids[0]}`, { routing: { bottom_id: '' } })).status, 400);
      assert.equal((await call('PUT', `/v1.0/routings/${ids[0]}`, { routing: {} })).status, 400);
      assert.equal((await call('PUT', `/v1.0/routings/${ids[0]}`, { routing: { top_id: 'top-2', pod_id: pod2 } })).status, 409);
      assert.equal((await call('GET', '/v1.0/routings/abc')).status, 400);
      assert.equal((await call('GET', '/v1.0/routings/424242')).status, 404);
      const del = await call('DELETE', `/v1.0/routings/${ids[0]}`);
      assert.equal(del.status, 200);
      assert.equal((await call('GET', `/v1.0/routings/${ids[0]}`)).status, 404);
    });
    test('a pod with routing entries cannot be deleted (409)', async () => {
      const res = await call('DELETE', `/v1.0/pods/${pod2}`);
      assert.equal(res.status, 409);
      assert.match(res.body.conflictingRequest.message, /routing entries/);
      assert.equal((await call('GET', `/v1.0/pods/${pod2}`)).status, 200);
    });
    test('a pod with no references can be deleted', async () => {
      for (const id of ids.slice(1)) assert.equal((await call('DELETE', `/v1.0/routings/${id}`)).status, 200);
      const del = await call('DELETE', `/v1.0/pods/${pod2}`);
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, {});
      assert.equal((await call('GET', `/v1.0/pods/${pod2}`)).status, 404);
    });
  });

  describe('authorization and operations', () => {
    test('a non-admin caller gets 403 with a forbidden body on every admin route', async () => {
      const routes: [string, string, unknown?][] = [
        ['GET', '/v1.0/pods'],
        ['POST', '/v1.0/pods', { pod: { region_name: 'X', az_name: 'az' } }],
        ['GET', `/v1.0/pods/${pod1}`],
        ['PUT', `/v1.0/pods/${pod1}`, { pod: { dc_name: 'x' } }],
        ['DELETE', `/v1.0/pods/${pod1}`],
        ['GET', '/v1.0/bindings'],
        ['POST', '/v1.0/bindings', { pod_binding: { tenant_id: 'x', pod_id: pod1 } }],
        ['GET', '/v1.0/bindings/x'],
        ['DELETE', '/v1.0/bindings/x'],
        ['GET', '/v1.0/routings'],
        ['POST', '/v1.0/routings', { routing: {} }],
        ['GET', '/v1.0/routings/1'],
        ['PUT', '/v1.0/routings/1', { routing: {} }],
        ['DELETE', '/v1.0/routings/1'],
      ];
      for (const [method, path, body] of routes) {
        const res = await call(method, path, body, MEMBER);
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(res.body.forbidden.code, 403);
      }
      assert.equal((await call('GET', `/v1.0/pods/${pod1}`)).status, 200, 'the pod is untouched');
    });
    test('unknown routes are 404 with a fault body', async () => {
      const res = await call('GET', '/v1.0/teapots');
      assert.equal(res.status, 404);
      assert.equal(res.body.itemNotFound.code, 404);
    });
    test('request ids: every response has one; a valid inbound one is accepted as global id', async () => {
      const res = await call('GET', '/v1.0/pods', undefined, { 'x-openstack-request-id': 'req-12345678-1234-1234-1234-123456789012' });
      assert.match(String(res.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/);
      assert.notEqual(res.headers['x-openstack-request-id'], 'req-12345678-1234-1234-1234-123456789012');
    });
    test('healthz, readyz and metrics', async () => {
      assert.equal((await call('GET', '/healthz')).status, 200);
      const ready = await call('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, 'ready');
      const metrics = await http('GET', `${base}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /tricircle_http_requests_total\{service="admin-api",route="\/v1.0\/pods",method="GET",status="200"\}/);
      assert.match(metrics.text, /tricircle_http_request_duration_seconds_bucket/);
    });
  });
});
