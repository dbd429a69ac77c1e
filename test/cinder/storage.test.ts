import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachDatabase } from '../support/databases.js';
import { bootServerInPod, sleep, startCinderEnv, waitForStatus, type CinderEnv } from './support.js';

describeEachDatabase('Cinder gateway: snapshots, backups, transfers, attachments, messages', (dialect) => {
  let env: CinderEnv;

  before(async () => {
    env = await startCinderEnv({ dialect, extra: { cinder_apigw: { list_pod_timeout: 2, down_pod_probe_interval: 0 } } });
  });
  after(async () => {
    await env?.close();
  });

  const v = (version: string) => ({ 'openstack-api-version': `volume ${version}` });

  async function volumeIn(who: 'admin' | 'demo', az: string, name = 'v'): Promise<string> {
    const res = await env.call(who, 'POST', '/volumes', { body: { volume: { size: 1, name, availability_zone: az } } });
    assert.equal(res.status, 202, res.text);
    await waitForStatus(env, who, res.body.volume.id, ['available']);
    return res.body.volume.id;
  }

  async function waitFor(who: 'admin' | 'demo', path: string, member: string, statuses: string[]): Promise<any> {
    for (let i = 0; i < 250; i++) {
      const res = await env.call(who, 'GET', path);
      if (res.status === 200 && statuses.includes(res.body[member].status)) return res.body[member];
      await sleep(20);
    }
    throw new Error(`${path} did not reach ${statuses.join('/')}`);
  }

  const routeOf = async (id: string, type: string) => {
    const routes = await env.tc.core.routings.findByTop(id, type);
    assert.equal(routes.length, 1, `one ${type} route for ${id}`);
    return routes[0];
  };

  test('snapshots live in their volume pod: create, show, update, metadata, actions, volume from snapshot, delete', async () => {
    const vol = await volumeIn('demo', 'az2');
    const made = await env.call('demo', 'POST', '/snapshots', { body: { snapshot: { volume_id: vol, name: 's1', metadata: { a: '1' } } } });
    assert.equal(made.status, 202, made.text);
    const snap = made.body.snapshot;
    assert.equal(snap.volume_id, vol);
    const route = await routeOf(snap.id, 'snapshot');
    assert.equal(route.podId, env.pods.Pod2.id);
    assert.equal(route.projectId, env.demo.project);
    assert.equal((await env.pod('Pod2', 'demo', 'GET', `/snapshots/${snap.id}`)).status, 200);
    await waitFor('demo', `/snapshots/${snap.id}`, 'snapshot', ['available']);

    const upd = await env.call('demo', 'PUT', `/snapshots/${snap.id}`, { body: { snapshot: { name: 's1-renamed' } } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.snapshot.name, 's1-renamed');
    assert.deepEqual((await env.call('demo', 'POST', `/snapshots/${snap.id}/metadata`, { body: { metadata: { b: '2' } } })).body.metadata, { a: '1', b: '2' });
    assert.deepEqual((await env.call('demo', 'GET', `/snapshots/${snap.id}/metadata/b`)).body.meta, { b: '2' });
    assert.equal((await env.call('demo', 'PUT', `/snapshots/${snap.id}/metadata/b`, { body: { meta: { b: '3' } } })).status, 200);
    assert.equal((await env.call('demo', 'DELETE', `/snapshots/${snap.id}/metadata/b`)).status, 200);
    assert.equal((await env.call('demo', 'GET', `/snapshots/${snap.id}/metadata/b`)).status, 404);
    assert.deepEqual((await env.call('demo', 'PUT', `/snapshots/${snap.id}/metadata`, { body: { metadata: { c: '3' } } })).body.metadata, { c: '3' });

    // Admin-only action: a member gets the pod's 403; unknown action is 400.
    assert.equal((await env.call('demo', 'POST', `/snapshots/${snap.id}/action`, { body: { 'os-reset_status': { status: 'error' } } })).status, 403);
    assert.equal((await env.call('demo', 'POST', `/snapshots/${snap.id}/action`, { body: { 'os-bogus': {} } })).status, 400);

    // A volume from the snapshot goes to the snapshot's pod; another AZ is refused.
    const clash = await env.call('demo', 'POST', '/volumes', { body: { volume: { snapshot_id: snap.id, availability_zone: 'az1' } } });
    assert.equal(clash.status, 400, clash.text);
    const fromSnap = await env.call('demo', 'POST', '/volumes', { body: { volume: { snapshot_id: snap.id } } });
    assert.equal(fromSnap.status, 202, fromSnap.text);
    assert.equal(fromSnap.body.volume.availability_zone, 'az2');
    assert.equal(fromSnap.body.volume.snapshot_id, snap.id);
    assert.equal((await routeOf(fromSnap.body.volume.id, 'volume')).podId, env.pods.Pod2.id);

    // An administrator reaches any project's snapshot by id (admin_or_owner); unknown ids are Cinder's 404.
    assert.equal((await env.call('admin', 'GET', `/snapshots/${snap.id}`)).status, 200);
    const unknown = await env.call('demo', 'GET', `/snapshots/${randomUUID()}`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.itemNotFound.message, /^Snapshot .* could not be found\.$/);

    await waitForStatus(env, 'demo', fromSnap.body.volume.id, ['available']);
    assert.equal((await env.call('demo', 'DELETE', `/volumes/${fromSnap.body.volume.id}`)).status, 202);
    for (let i = 0; i < 100 && (await env.pod('Pod2', 'demo', 'GET', `/volumes/${fromSnap.body.volume.id}`)).status !== 404; i++) await sleep(20);
    assert.equal((await env.call('demo', 'DELETE', `/snapshots/${snap.id}`)).status, 202);
    for (let i = 0; i < 100 && (await env.pod('Pod2', 'demo', 'GET', `/snapshots/${snap.id}`)).status !== 404; i++) await sleep(20);
    assert.equal((await env.call('demo', 'GET', `/snapshots/${snap.id}`)).status, 404);
    assert.equal((await env.tc.core.routings.findByTop(snap.id, 'snapshot')).length, 0, 'the route of a snapshot gone from its pod is dropped');
  });

  test('bad bodies are 400, never 500; a snapshot of an unknown volume is 404', async () => {
    for (const body of [{}, { snapshot: {} }, { snapshot: { volume_id: 'not-a-uuid' } }, { snapshot: { volume_id: randomUUID(), bogus: 1 } }, []]) {
      const res = await env.call('demo', 'POST', '/snapshots', { body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.ok(res.body.badRequest?.message, res.text);
    }
    const res = await env.call('demo', 'POST', '/snapshots', { body: { snapshot: { volume_id: randomUUID() } } });
    assert.equal(res.status, 404);
    assert.equal((await env.call('demo', 'POST', '/backups', { body: { backup: {} } })).status, 400);
    assert.equal((await env.call('demo', 'POST', '/os-volume-transfer', { body: { transfer: { volume_id: 7 } } })).status, 400);
  });

  test('snapshot lists merge both pods, page by marker, hide unrouted snapshots and name a down pod', async () => {
    const v1 = await volumeIn('demo', 'az1', 'list-1');
    const v2 = await volumeIn('demo', 'az2', 'list-2');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await env.call('demo', 'POST', '/snapshots', { body: { snapshot: { volume_id: i % 2 ? v1 : v2, name: `ls-${i}` } } });
      assert.equal(res.status, 202, res.text);
      ids.push(res.body.snapshot.id);
    }
    // Made straight in the pod: no route, never shown.
    const hidden = await env.pod('Pod1', 'demo', 'POST', '/snapshots', { snapshot: { volume_id: v1, name: 'ls-hidden' } });
    assert.equal(hidden.status, 202);

    const all = await env.call('demo', 'GET', '/snapshots/detail?sort=name:asc');
    assert.equal(all.status, 200);
    const names = all.body.snapshots.map((s: any) => s.name).filter((n: string) => n.startsWith('ls-'));
    assert.deepEqual(names, ['ls-0', 'ls-1', 'ls-2', 'ls-3', 'ls-4', 'ls-5']);

    const walked: string[] = [];
    let url = '/snapshots?sort=name:asc&limit=2';
    for (let pages = 0; pages < 20; pages++) {
      const res = await env.call('demo', 'GET', url);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.snapshots.length <= 2);
      walked.push(...res.body.snapshots.map((s: any) => s.name));
      const next = res.body.snapshots_links?.find((l: any) => l.rel === 'next')?.href;
      if (!next) break;
      assert.ok(next.startsWith(env.gw), next);
      url = next.slice(next.indexOf('/snapshots'));
    }
    assert.deepEqual(
      walked.filter((n) => n.startsWith('ls-')),
      names,
    );
    assert.ok(!walked.includes('ls-hidden'));
    assert.equal((await env.call('demo', 'GET', `/snapshots?marker=${hidden.body.snapshot.id}`)).status, 404, 'an unrouted marker is not found');
    assert.equal((await env.call('demo', 'GET', '/snapshots?sort=bogus:asc')).status, 400);
    assert.equal((await env.call('demo', 'GET', '/snapshots?limit=x')).status, 400);
    // offset skips records of the merged order (hidden ones are never counted); bad offsets are 400.
    const ownNames = (await env.call('demo', 'GET', '/snapshots?sort=name:asc')).body.snapshots.map((s: any) => s.name);
    const skipped = await env.call('demo', 'GET', '/snapshots?sort=name:asc&offset=2&limit=3');
    assert.equal(skipped.status, 200, skipped.text);
    assert.deepEqual(
      skipped.body.snapshots.map((s: any) => s.name),
      ownNames.slice(2, 5),
    );
    const nextAfterOffset = skipped.body.snapshots_links?.find((l: any) => l.rel === 'next')?.href as string | undefined;
    if (nextAfterOffset) assert.ok(!nextAfterOffset.includes('offset='), 'the next page continues by marker, without the offset');
    assert.deepEqual((await env.call('demo', 'GET', `/snapshots?offset=${ownNames.length}`)).body.snapshots, []);
    for (const bad of ['-1', 'x']) assert.equal((await env.call('demo', 'GET', `/snapshots?offset=${bad}`)).status, 400, bad);
    const filtered = await env.call('demo', 'GET', `/snapshots/detail?volume_id=${v1}`);
    assert.ok(filtered.body.snapshots.length >= 3 && filtered.body.snapshots.every((s: any) => s.volume_id === v1));

    await env.cluster.setFaults('Pod2', { down: true });
    try {
      const partial = await env.call('demo', 'GET', '/snapshots?sort=name:asc');
      assert.equal(partial.status, 200, partial.text);
      assert.equal(partial.headers['x-tricircle-unavailable-pods'], 'Pod2');
      assert.deepEqual(
        partial.body.snapshots.map((s: any) => s.name).filter((n: string) => n.startsWith('ls-')),
        ['ls-1', 'ls-3', 'ls-5'],
      );
    } finally {
      await env.cluster.setFaults('Pod2', { down: false });
    }
  });

  test('backups: create in the volume pod, list, update, restore (new volume routed; other pod refused), export/import, actions', async () => {
    const vol = await volumeIn('demo', 'az1', 'bk-src');
    const other = await volumeIn('demo', 'az2', 'bk-other');
    const made = await env.call('demo', 'POST', '/backups', { body: { backup: { volume_id: vol, name: 'b1' } } });
    assert.equal(made.status, 202, made.text);
    const id = made.body.backup.id;
    assert.deepEqual(Object.keys(made.body.backup).sort(), ['id', 'links', 'name']);
    assert.ok(made.body.backup.links[0].href.startsWith(env.gw));
    assert.equal((await routeOf(id, 'backup')).podId, env.pods.Pod1.id);
    await waitFor('demo', `/backups/${id}`, 'backup', ['available']);
    const listed = await env.call('demo', 'GET', '/backups/detail');
    assert.ok(listed.body.backups.some((b: any) => b.id === id && b.volume_id === vol));
    assert.equal((await env.call('demo', 'PUT', `/backups/${id}`, { body: { backup: { name: 'b1x' } } })).status, 404, 'update is 3.9+');
    const upd = await env.call('demo', 'PUT', `/backups/${id}`, { body: { backup: { name: 'b1x' } }, headers: v('3.9') });
    assert.equal(upd.status, 200, upd.text);

    const refused = await env.call('demo', 'POST', `/backups/${id}/restore`, { body: { restore: { volume_id: other } } });
    assert.equal(refused.status, 400);
    assert.match(refused.body.badRequest.message, /restores only into a volume of its own pod/);

    const restored = await env.call('demo', 'POST', `/backups/${id}/restore`, { body: { restore: { name: 'from-backup' } } });
    assert.equal(restored.status, 202, restored.text);
    const newVol = restored.body.restore.volume_id;
    assert.equal((await routeOf(newVol, 'volume')).podId, env.pods.Pod1.id);
    await waitForStatus(env, 'demo', newVol, ['available']);
    await waitFor('demo', `/backups/${id}`, 'backup', ['available']);

    // A volume from the backup (3.47) goes to its pod.
    const fromBackup = await env.call('demo', 'POST', '/volumes', { body: { volume: { backup_id: id } }, headers: v('3.47') });
    assert.equal(fromBackup.status, 202, fromBackup.text);
    assert.equal(fromBackup.body.volume.availability_zone, 'az1');

    // Export is admin-only in Cinder; the record carries the pod, so an import finds it.
    const adminVol = await volumeIn('admin', 'az2', 'bk-admin');
    const ab = await env.call('admin', 'POST', '/backups', { body: { backup: { volume_id: adminVol } } });
    await waitFor('admin', `/backups/${ab.body.backup.id}`, 'backup', ['available']);
    assert.equal((await env.call('demo', 'GET', `/backups/${id}/export_record`)).status, 403);
    const exported = await env.call('admin', 'GET', `/backups/${ab.body.backup.id}/export_record`);
    assert.equal(exported.status, 200, exported.text);
    assert.equal(JSON.parse(Buffer.from(exported.body['backup-record'].backup_url, 'base64').toString()).tricircle_pod, 'Pod2');
    assert.equal((await env.call('admin', 'POST', '/backups/import_record', { body: { 'backup-record': { backup_service: 'x', backup_url: 'bm90LWpzb24=' } } })).status, 400);
    // Importing over an existing available backup is the pod's 400.
    const again = await env.call('admin', 'POST', '/backups/import_record', { body: exported.body });
    assert.equal(again.status, 400, again.text);

    assert.equal((await env.call('demo', 'POST', `/backups/${id}/action`, { body: { 'os-reset_status': { status: 'error' } } })).status, 403);
    assert.equal((await env.call('admin', 'POST', `/backups/${ab.body.backup.id}/action`, { body: { 'os-reset_status': { status: 'error' } } })).status, 202);
    assert.equal((await env.call('admin', 'DELETE', `/backups/${ab.body.backup.id}`)).status, 202);
  });

  test('transfers: accept by another project moves the volume route (and its snapshots) atomically; auth key checked by the pod', async () => {
    const vol = await volumeIn('demo', 'az2', 'to-give');
    const snap = await env.call('demo', 'POST', '/snapshots', { body: { snapshot: { volume_id: vol, name: 'goes-along' } } });
    await waitFor('demo', `/snapshots/${snap.body.snapshot.id}`, 'snapshot', ['available']);
    const made = await env.call('demo', 'POST', '/os-volume-transfer', { body: { transfer: { volume_id: vol, name: 'gift' } } });
    assert.equal(made.status, 202, made.text);
    const t = made.body.transfer;
    assert.ok(typeof t.auth_key === 'string' && t.auth_key.length > 0);
    assert.equal((await routeOf(t.id, 'transfer')).podId, env.pods.Pod2.id);
    const listed = await env.call('demo', 'GET', '/os-volume-transfer/detail');
    assert.ok(listed.body.transfers.some((x: any) => x.id === t.id && x.volume_id === vol));
    assert.equal((await env.call('demo', 'GET', `/os-volume-transfer/${t.id}`)).body.transfer.name, 'gift');
    assert.equal((await env.call('demo', 'GET', '/volume-transfers')).status, 404, 'volume-transfers is 3.55+');

    const wrong = await env.call('admin', 'POST', `/os-volume-transfer/${t.id}/accept`, { body: { accept: { auth_key: 'nope' } } });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal((await routeOf(vol, 'volume')).projectId, env.demo.project);

    const inUse = async (project: string) => (await env.call('admin', 'GET', `/os-quota-sets/${project}?usage=true`)).body.quota_set.volumes.in_use as number;
    const [demoBefore, adminBefore] = [await inUse(env.demo.project), await inUse(env.admin.project)];
    const ok = await env.call('admin', 'POST', `/os-volume-transfer/${t.id}/accept`, { body: { accept: { auth_key: t.auth_key } } });
    assert.equal(ok.status, 202, ok.text);
    assert.equal(await inUse(env.demo.project), demoBefore - 1, "the volume no longer counts in the giver's quota");
    assert.equal(await inUse(env.admin.project), adminBefore + 1, "it counts in the receiver's");
    assert.equal(ok.body.transfer.volume_id, vol);
    const route = await routeOf(vol, 'volume');
    assert.equal(route.projectId, env.admin.project);
    assert.equal(route.podId, env.pods.Pod2.id, 'the volume stays in its pod');
    assert.equal((await routeOf(snap.body.snapshot.id, 'snapshot')).projectId, env.admin.project);
    assert.equal((await env.tc.core.routings.findByTop(t.id, 'transfer')).length, 0);
    assert.equal((await env.call('demo', 'GET', `/volumes/${vol}`)).status, 404);
    assert.equal((await env.call('admin', 'GET', `/volumes/${vol}`)).status, 200);
    assert.equal((await env.call('admin', 'GET', `/snapshots/${snap.body.snapshot.id}`)).status, 200);

    // volume-transfers (3.55+): create, show, delete gives the volume back.
    const vol2 = await volumeIn('demo', 'az1', 'kept');
    const t2 = await env.call('demo', 'POST', '/volume-transfers', { body: { transfer: { volume_id: vol2, no_snapshots: true } }, headers: v('3.55') });
    assert.equal(t2.status, 202, t2.text);
    assert.equal((await env.call('demo', 'GET', `/volume-transfers/${t2.body.transfer.id}`, { headers: v('3.57') })).body.transfer.no_snapshots, true);
    assert.equal((await env.call('demo', 'DELETE', `/volume-transfers/${t2.body.transfer.id}`, { headers: v('3.55') })).status, 202);
    assert.equal((await env.tc.core.routings.findByTop(t2.body.transfer.id, 'transfer')).length, 0);
    await waitForStatus(env, 'demo', vol2, ['available']);
  });

  test('the transfer auth key never reaches the logs', async () => {
    const lines: string[] = [];
    const logger = env.tc.core.logger as any;
    const original = { info: logger.info, warn: logger.warn, debug: logger.debug, error: logger.error };
    for (const level of Object.keys(original)) {
      logger[level] = function (this: unknown, ...args: unknown[]) {
        lines.push(JSON.stringify(args));
        return (original as any)[level].apply(this, args);
      };
    }
    try {
      const vol = await volumeIn('demo', 'az1', 'secret');
      const t = await env.call('demo', 'POST', '/os-volume-transfer', { body: { transfer: { volume_id: vol } } });
      const key = t.body.transfer.auth_key;
      assert.equal((await env.call('admin', 'POST', `/os-volume-transfer/${t.body.transfer.id}/accept`, { body: { accept: { auth_key: key } } })).status, 202);
      assert.ok(lines.length > 0, 'the accept is logged');
      assert.ok(!lines.some((l) => l.includes(key)), 'no log line holds the auth key');
    } finally {
      Object.assign(logger, original);
    }
  });

  test('attachments (3.27+): routed by volume; the server must be in the volume pod; complete (3.44) and delete', async () => {
    const vol = await volumeIn('demo', 'az1', 'att');
    const server = await bootServerInPod(env, 'Pod1', 'demo', 'att-vm');
    const farServer = await bootServerInPod(env, 'Pod2', 'demo', 'far-vm');
    assert.equal((await env.call('demo', 'POST', '/attachments', { body: { attachment: { volume_uuid: vol, instance_uuid: server } } })).status, 404, 'below 3.27');
    const far = await env.call('demo', 'POST', '/attachments', { body: { attachment: { volume_uuid: vol, instance_uuid: farServer } }, headers: v('3.27') });
    assert.equal(far.status, 400);
    assert.match(far.body.badRequest.message, /not in the same pod/);
    const made = await env.call('demo', 'POST', '/attachments', {
      body: { attachment: { volume_uuid: vol, instance_uuid: server, connector: { host: 'h', initiator: 'iqn' } } },
      headers: v('3.44'),
    });
    assert.equal(made.status, 200, made.text);
    const att = made.body.attachment;
    assert.equal(att.volume_id, vol);
    assert.equal((await routeOf(att.id, 'attachment')).podId, env.pods.Pod1.id);
    assert.equal((await env.call('demo', 'GET', `/attachments/${att.id}`, { headers: v('3.27') })).body.attachment.instance, server);
    const listed = await env.call('demo', 'GET', `/attachments?volume_id=${vol}`, { headers: v('3.27') });
    assert.deepEqual(
      listed.body.attachments.map((a: any) => a.id),
      [att.id],
    );
    assert.equal((await env.call('demo', 'PUT', `/attachments/${att.id}`, { body: { attachment: { connector: { host: 'h2' } } }, headers: v('3.27') })).status, 200);
    assert.equal((await env.call('demo', 'POST', `/attachments/${att.id}/action`, { body: { 'os-complete': null }, headers: v('3.44') })).status, 204);
    assert.equal((await env.call('demo', 'GET', `/volumes/${vol}`)).body.volume.status, 'in-use');
    assert.equal((await env.call('demo', 'DELETE', `/attachments/${att.id}`, { headers: v('3.27') })).status, 200);
    assert.equal((await env.tc.core.routings.findByTop(att.id, 'attachment')).length, 0);
    assert.equal((await env.call('demo', 'GET', `/volumes/${vol}`)).body.volume.status, 'available');
  });

  test('messages (3.3+): listed from every pod; an unknown id is 404', async () => {
    assert.equal((await env.call('demo', 'GET', '/messages')).status, 404, 'below 3.3');
    const list = await env.call('demo', 'GET', '/messages', { headers: v('3.3') });
    assert.equal(list.status, 200, list.text);
    assert.ok(Array.isArray(list.body.messages));
    const unknown = await env.call('demo', 'GET', `/messages/${randomUUID()}`, { headers: v('3.3') });
    assert.equal(unknown.status, 404);
    assert.ok(unknown.body.itemNotFound);
    // A volume no backend can hold fails in its pod, which records a user message: found through the gateway.
    const type = await env.call('admin', 'POST', '/types', { body: { volume_type: { name: 'nowhere', extra_specs: { volume_backend_name: 'no-such-backend' } } } });
    assert.equal(type.status, 200, type.text);
    const made = await env.call('admin', 'POST', '/volumes', { body: { volume: { size: 1, volume_type: 'nowhere', availability_zone: 'az2' } } });
    assert.equal(made.status, 202, made.text);
    await waitForStatus(env, 'admin', made.body.volume.id, ['error']);
    const msgs = await env.call('admin', 'GET', '/messages', { headers: v('3.3') });
    const msg = msgs.body.messages.find((m: any) => m.resource_uuid === made.body.volume.id);
    assert.ok(msg, msgs.text);
    assert.equal(msg.resource_type, 'VOLUME');
    assert.ok(msg.links.every((l: any) => l.href.startsWith(env.gw)));
    assert.equal((await env.call('admin', 'GET', `/messages/${msg.id}`, { headers: v('3.3') })).body.message.id, msg.id);
    assert.equal((await env.call('demo', 'GET', `/messages/${msg.id}`, { headers: v('3.3') })).status, 404, "another project's message");
    assert.equal((await env.call('admin', 'DELETE', `/messages/${msg.id}`, { headers: v('3.3') })).status, 204);
    assert.equal((await env.call('admin', 'GET', `/messages/${msg.id}`, { headers: v('3.3') })).status, 404);
  });
});
