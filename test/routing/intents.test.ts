import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dbNow, inTransaction, migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { PodRegistry, PodScheduler, type Pod } from '../../src/pods/index.js';
import { repairStaleIntents, RoutingTable, type FoundResource, type IntentFinder, type RoutingIntent } from '../../src/routing/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

/** pg-pool's end() resolves before its sockets close; give them a moment before a forced drop. */
const settle = (dialect: string) => (dialect === 'sqlite' ? Promise.resolve() : new Promise((r) => setTimeout(r, 200)));

const STALE = 60_000;

describeEachDatabase('routing intents', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let other: Db;
  let routings: RoutingTable;
  let pod1: Pod;
  let pod2: Pod;
  let seq = 0;
  const project = () => `proj-${++seq}`;
  const uuid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 6 });
    other = openDatabase(scratch.url, { maxPoolSize: 6 });
    await migrateToLatest(db);
    const pods = new PodRegistry(db);
    await pods.create({ regionName: 'RegionOne' });
    pod1 = await pods.create({ regionName: 'Pod1', azName: 'az1' });
    pod2 = await pods.create({ regionName: 'Pod2', azName: 'az1' });
    routings = new RoutingTable(db);
  });
  after(async () => {
    await db?.close();
    await other?.close();
    await settle(dialect);
    await scratch?.drop();
  });

  const serverIntent = (projectId: string, pod: Pod = pod1, extra: { name?: string; match?: Record<string, unknown> } = {}) =>
    routings.recordIntent({ podId: pod.id, projectId, resourceType: 'server', requestId: `req-${uuid()}`, ...extra });
  /** Moves an intent's creation `ms` into the past on the database clock. */
  const age = (intent: RoutingIntent, ms: number) =>
    sql`update resource_routings set created_at = ${dbNow(db.dialect)} - ${ms}, updated_at = ${dbNow(db.dialect)} - ${ms} where id = ${intent.id}`.execute(db.kysely);
  const serverRoutes = (projectId: string) => routings.list({ projectId, resourceType: 'server' });

  test('an intent is an incomplete row with its request id, name and match; the scheduler counts it', async () => {
    const p = project();
    const intent = await serverIntent(p, pod1, { name: 'web', match: { flavorId: '42', ports: ['b-port-1'], count: 1 } });
    assert.equal(intent.podId, pod1.id);
    assert.equal(intent.projectId, p);
    assert.equal(intent.resourceType, 'server');
    assert.match(intent.requestId, /^req-/);
    assert.equal(intent.name, 'web');
    assert.deepEqual(intent.match, { flavorId: '42', ports: ['b-port-1'], count: 1 });
    assert.ok(Math.abs(intent.createdAt - Date.now()) < 5000, 'created on the database clock');
    assert.deepEqual(await routings.findIntent(intent.id), intent);

    const [row] = await serverRoutes(p);
    assert.equal(row.id, intent.id);
    assert.equal(row.bottomId, null);
    assert.match(row.topId, /^intent-[0-9a-f-]{36}$/);
    assert.deepEqual(Object.fromEntries(await routings.countsByPod(p, ['server', 'volume'], [pod1.id, pod2.id])), { [pod1.id]: 1 });

    // The default policy sends the project's next resource to the pod without one.
    const chosen = await new PodScheduler(db).schedule({ projectId: p, azName: 'az1' });
    assert.equal(chosen.id, pod2.id);

    await assert.rejects(
      routings.recordIntent({ podId: 'no-such-pod', projectId: p, resourceType: 'server', requestId: 'req-1' }),
      (err: { status?: number }) => err.status === 400,
    );
  });

  test('completing replaces the intent by the routes (several for a multi-create), and is idempotent', async () => {
    const p = project();
    const intent = await serverIntent(p);
    const [a, b] = [uuid(), uuid()];
    const routes = await routings.completeIntent(intent, [
      { topId: a, bottomId: a },
      { topId: b, bottomId: b },
    ]);
    assert.deepEqual(
      routes.map((r) => [r.topId, r.bottomId, r.podId, r.projectId, r.resourceType]),
      [
        [a, a, pod1.id, p, 'server'],
        [b, b, pod1.id, p, 'server'],
      ],
    );
    assert.equal(await routings.findIntent(intent.id), undefined);
    const again = await routings.completeIntent(intent, [{ topId: a, bottomId: a }]);
    assert.deepEqual(
      again.map((r) => r.id),
      [routes[0].id],
    );
    assert.deepEqual((await serverRoutes(p)).map((r) => r.topId).sort(), [a, b].sort());
    await assert.rejects(routings.completeIntent(intent, []), /at least one/);
  });

  test('a late completion after the intent was dropped still routes what the pod made', async () => {
    const p = project();
    const intent = await serverIntent(p);
    assert.equal(await routings.dropIntent(intent), true);
    assert.equal(await routings.dropIntent(intent), false);
    const vm = uuid();
    await routings.completeIntent(intent, [{ topId: vm, bottomId: vm }]);
    assert.deepEqual(
      (await serverRoutes(p)).map((r) => r.bottomId),
      [vm],
    );
  });

  test('dropIntent touches neither a lock claim nor a complete route', async () => {
    const p = project();
    const claim = await routings.create({ topId: uuid(), bottomId: null, podId: pod1.id, projectId: p, resourceType: 'network' });
    const done = await routings.create({ topId: uuid(), bottomId: 'b', podId: pod1.id, projectId: p, resourceType: 'server' });
    assert.equal(await routings.dropIntent(claim), false);
    assert.equal(await routings.dropIntent(done), false);
    assert.equal(await routings.findIntent(claim.id), undefined);
    assert.equal((await routings.list({ projectId: p })).length, 2);
  });

  test('completion inside the caller’s transaction rolls back with it', async () => {
    const p = project();
    const intent = await serverIntent(p);
    const vm = uuid();
    await assert.rejects(
      inTransaction(db, async (trx) => {
        await routings.in(trx).completeIntent(intent, [{ topId: vm, bottomId: vm }]);
        throw new Error('the caller fails after completing');
      }),
      /caller fails/,
    );
    assert.deepEqual(await routings.findIntent(intent.id), intent, 'the intent is back');
    assert.deepEqual(await routings.findByTop(vm, 'server'), []);
  });

  test('concurrent completions from two processes leave one route per resource and no error', async () => {
    const p = project();
    const intent = await serverIntent(p);
    const vms = [uuid(), uuid(), uuid()].map((v) => ({ topId: v, bottomId: v }));
    const tables = [routings, new RoutingTable(other)];
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => tables[i % 2].completeIntent(intent, vms)));
    for (const r of results) assert.equal(r.length, 3);
    const rows = await serverRoutes(p);
    assert.deepEqual(rows.map((r) => r.topId).sort(), vms.map((v) => v.topId).sort());
  });

  test('staleIntents: older than the bound by the database clock, by type and project, oldest first', async () => {
    const p = project();
    const young = await serverIntent(p);
    const old = await serverIntent(p);
    const older = await serverIntent(p, pod2);
    const volume = await routings.recordIntent({ podId: pod1.id, projectId: p, resourceType: 'volume', requestId: 'req-v', name: 'data' });
    const otherProject = await serverIntent(project());
    const completed = await serverIntent(p);
    for (const i of [old, older, volume, otherProject, completed]) await age(i, 2 * STALE);
    await routings.completeIntent(completed, [{ topId: uuid(), bottomId: `b-${seq}` }]);

    const mine = await routings.staleIntents({ olderThanMs: STALE, projectId: p });
    assert.deepEqual(
      mine.map((i) => i.id),
      [old.id, older.id, volume.id],
    );
    assert.deepEqual(
      (await routings.staleIntents({ olderThanMs: STALE, projectId: p, resourceTypes: ['volume'] })).map((i) => i.name),
      ['data'],
    );
    assert.deepEqual(await routings.staleIntents({ olderThanMs: STALE, projectId: p, resourceTypes: [] }), []);
    assert.ok((await routings.staleIntents({ olderThanMs: STALE })).some((i) => i.id === otherProject.id));
    assert.equal((await routings.staleIntents({ olderThanMs: STALE, projectId: p, limit: 1 })).length, 1);
    assert.ok(!(await routings.staleIntents({ olderThanMs: STALE })).some((i) => i.id === young.id));
  });

  test('an intent whose column is not JSON reads as one that identifies nothing', async () => {
    const p = project();
    const intent = await serverIntent(p, pod1, { name: 'x' });
    await db.kysely.updateTable('resource_routings').set({ intent: 'not json' }).where('id', '=', intent.id).execute();
    const read = await routings.findIntent(intent.id);
    assert.deepEqual({ requestId: read?.requestId, name: read?.name, match: read?.match }, { requestId: '', name: undefined, match: {} });
  });

  /** A finder over a list standing for the pod's servers, recording what the repair asked of it. */
  function podServers(servers: Map<string, FoundResource[]>, log: string[]): IntentFinder {
    return {
      async find(intent) {
        log.push(`find ${intent.id}`);
        const list = servers.get(intent.podId);
        if (!list) throw new Error(`pod ${intent.podId} does not answer`);
        return list.filter((s) => s.topId.startsWith(String(intent.match.prefix)));
      },
      async adopted(intent, routes) {
        log.push(`adopted ${intent.id} ${routes.map((r) => r.topId).join(',')}`);
      },
      async abandoned(intent) {
        log.push(`abandoned ${intent.id}`);
      },
    };
  }

  test('repair: routes what the pod made (minus what is routed), drops intents the pod never carried out, waits on silent pods', async () => {
    const p = project();
    const made = [uuid(), uuid()];
    const routedAlready = uuid();
    const prefixOf = (id: string) => id.slice(0, 30);
    // Three stale intents: one whose servers exist, one with nothing in the pod, one in a pod that does not answer.
    const found = await serverIntent(p, pod1, { name: 'web', match: { prefix: prefixOf(made[0]) } });
    const nothing = await serverIntent(p, pod1, { match: { prefix: 'ffffffff' } });
    const silent = await serverIntent(p, pod2, { match: { prefix: '0' } });
    const young = await serverIntent(p, pod1, { match: { prefix: '0' } });
    for (const i of [found, nothing, silent]) await age(i, 2 * STALE);
    await routings.create({ topId: routedAlready, bottomId: routedAlready, podId: pod1.id, projectId: p, resourceType: 'server' });

    const pod1Servers = [...made, routedAlready].map((id) => ({ topId: id, bottomId: id }));
    const log: string[] = [];
    const report = await repairStaleIntents(routings, { server: podServers(new Map([[pod1.id, [...pod1Servers, pod1Servers[0]]]]), log) }, { olderThanMs: STALE, projectId: p });

    assert.deepEqual(report.routed, [{ intentId: found.id, resourceType: 'server', podId: pod1.id, topIds: made }]);
    assert.deepEqual(report.dropped, [{ intentId: nothing.id, resourceType: 'server', podId: pod1.id }]);
    assert.equal(report.waiting.length, 1);
    assert.equal(report.waiting[0].intentId, silent.id);
    assert.match(report.waiting[0].reason, /does not answer/);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(log, [`find ${found.id}`, `adopted ${found.id} ${made.join(',')}`, `find ${nothing.id}`, `abandoned ${nothing.id}`, `find ${silent.id}`]);

    const rows = await serverRoutes(p);
    assert.deepEqual(
      rows
        .filter((r) => r.bottomId !== null)
        .map((r) => r.topId)
        .sort(),
      [...made, routedAlready].sort(),
    );
    assert.deepEqual(
      rows
        .filter((r) => r.bottomId === null)
        .map((r) => r.id)
        .sort(),
      [silent.id, young.id].sort(),
      'the silent pod’s and the young intent wait',
    );
  });

  test('repair: a failing follow-up is reported and the routes stand; types without a finder are left alone', async () => {
    const p = project();
    const vm = uuid();
    const server = await serverIntent(p);
    const volume = await routings.recordIntent({ podId: pod1.id, projectId: p, resourceType: 'volume', requestId: 'req-v' });
    await age(server, 2 * STALE);
    await age(volume, 2 * STALE);
    const finder: IntentFinder = {
      find: async () => [{ topId: vm, bottomId: vm }],
      adopted: async () => Promise.reject(new Error('the top ports could not be bound')),
    };
    const report = await repairStaleIntents(routings, { server: finder }, { olderThanMs: STALE, projectId: p });
    assert.deepEqual(
      report.routed.map((r) => r.topIds),
      [[vm]],
    );
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0], /top ports could not be bound/);
    assert.equal((await routings.findByTop(vm, 'server')).length, 1);
    assert.equal((await routings.findIntent(volume.id))?.requestId, 'req-v', 'the volume intent waits for a finder of its type');
  });

  test('repair: two processes repairing at once, and a late gateway, agree on one route per server', async () => {
    const p = project();
    const vms = Array.from({ length: 4 }, () => uuid());
    const intents: RoutingIntent[] = [];
    for (const vm of vms) {
      const intent = await serverIntent(p, pod1, { match: { vm } });
      await age(intent, 2 * STALE);
      intents.push(intent);
    }
    const finder: IntentFinder = { find: async (intent) => [{ topId: String(intent.match.vm), bottomId: String(intent.match.vm) }] };
    const late = intents[0];
    const [r1, r2] = await Promise.all([
      repairStaleIntents(routings, { server: finder }, { olderThanMs: STALE, projectId: p }),
      repairStaleIntents(new RoutingTable(other), { server: finder }, { olderThanMs: STALE, projectId: p }),
      routings.completeIntent(late, [{ topId: vms[0], bottomId: vms[0] }]),
    ]);
    assert.deepEqual([...r1.waiting, ...r2.waiting, ...r1.errors, ...r2.errors], []);
    const rows = await serverRoutes(p);
    assert.deepEqual(rows.map((r) => r.topId).sort(), [...vms].sort(), 'each server routed once, no intent left');
    assert.ok(rows.every((r) => r.bottomId === r.topId));
  });
});
