import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dbNow, inTransaction, migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { PodRegistry, type Pod } from '../../src/pods/index.js';
import { RoutingTable, type Routing } from '../../src/routing/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

/** pg-pool's end() resolves before its sockets close; give them a moment before a forced drop. */
const settle = (dialect: string) => (dialect === 'sqlite' ? Promise.resolve() : new Promise((r) => setTimeout(r, 200)));

describeEachDatabase('RoutingTable', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  /** A second handle on the same database, as another process would have. */
  let other: Db;
  let routings: RoutingTable;
  let top: Pod;
  let pod1: Pod;
  let pod2: Pod;
  let pod3: Pod;
  let seq = 0;
  const id = (what: string) => `${what}-${++seq}`;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 5 });
    other = openDatabase(scratch.url, { maxPoolSize: 2 });
    await migrateToLatest(db);
    const pods = new PodRegistry(db);
    top = await pods.create({ regionName: 'RegionOne' });
    pod1 = await pods.create({ regionName: 'Pod1', azName: 'az1' });
    pod2 = await pods.create({ regionName: 'Pod2', azName: 'az2' });
    pod3 = await pods.create({ regionName: 'Pod3', azName: 'az1' });
    routings = new RoutingTable(db);
  });
  after(async () => {
    await db?.close();
    await other?.close();
    await settle(dialect);
    await scratch?.drop();
  });

  const route = (topId: string, pod: Pod, resourceType: string, bottomId: string | null = `b-${topId}`, projectId = 'proj') =>
    routings.create({ topId, bottomId, podId: pod.id, projectId, resourceType });
  const ids = (rows: Routing[]) => rows.map((r) => r.id);
  /** Moves a row's timestamps `ms` into the past on the database clock. */
  const age = (rowId: number, ms: number) =>
    sql`update resource_routings set created_at = ${dbNow(db.dialect)} - ${ms}, updated_at = ${dbNow(db.dialect)} - ${ms} where id = ${rowId}`.execute(db.kysely);

  test('in(trx): writes join the caller’s transaction, are seen inside it, and roll back with it', async () => {
    const kept = id('net');
    const lost = id('net');
    await inTransaction(db, async (trx) => {
      const inside = routings.in(trx);
      await inside.create({ topId: kept, bottomId: 'b-kept', podId: pod1.id, projectId: 'proj', resourceType: 'network' });
      assert.equal(await inside.bottomIdOf('network', kept, pod1.id), 'b-kept', 'seen inside the transaction');
      assert.equal(await new RoutingTable(other).bottomIdOf('network', kept, pod1.id), undefined, 'not seen outside before the commit');
    });
    assert.equal(await routings.bottomIdOf('network', kept, pod1.id), 'b-kept');

    await assert.rejects(
      inTransaction(db, async (trx) => {
        await routings.in(trx).create({ topId: lost, bottomId: 'b-lost', podId: pod1.id, projectId: 'proj', resourceType: 'network' });
        await routings.in(trx).deleteByTop('network', [kept]);
        throw new Error('the caller fails after the routing writes');
      }),
      /caller fails/,
    );
    assert.deepEqual(await routings.findByTop(lost, 'network'), []);
    assert.equal(await routings.bottomIdOf('network', kept, pod1.id), 'b-kept', 'the delete was rolled back too');
    assert.equal(await routings.in(db.kysely).bottomIdOf('network', kept, pod1.id), 'b-kept', 'the database handle itself is accepted');
  });

  test('create, update and delete keep their Admin API errors', async () => {
    const t = id('net');
    const r = await route(t, pod1, 'network');
    await assert.rejects(route(t, pod1, 'network'), (err: { status?: number }) => err.status === 409);
    await assert.rejects(
      routings.create({ topId: id('net'), bottomId: null, podId: 'no-such-pod', projectId: 'p', resourceType: 'network' }),
      (err: { status?: number }) => err.status === 400,
    );
    assert.equal((await routings.update(r.id, { bottomId: 'b-new' })).bottomId, 'b-new');
    await routings.delete(r.id);
    await assert.rejects(routings.delete(r.id), (err: { status?: number }) => err.status === 404);
    await assert.rejects(routings.update(r.id, { bottomId: 'x' }), (err: { status?: number }) => err.status === 404);
  });

  test('findByTops: many top ids in id order, narrowed by pod, project and completeness, beyond one chunk of ids', async () => {
    const a = id('port');
    const b = id('port');
    const r1 = await route(a, pod1, 'port');
    const r2 = await route(b, pod2, 'port', null);
    const r3 = await route(a, pod2, 'port', 'b-a2', 'other-proj');
    await route(a, pod3, 'subnet');
    assert.deepEqual(ids(await routings.findByTops('port', [b, a, 'missing'])), [r1.id, r2.id, r3.id]);
    assert.deepEqual(ids(await routings.findByTops('port', [a, b], { podId: pod2.id })), [r2.id, r3.id]);
    assert.deepEqual(ids(await routings.findByTops('port', [a, b], { projectId: 'proj' })), [r1.id, r2.id]);
    assert.deepEqual(ids(await routings.findByTops('port', [a, b], { complete: true })), [r1.id, r3.id]);
    assert.deepEqual(await routings.findByTops('port', []), []);

    // More ids than one statement carries: 1200 routes made in one insert.
    const many = Array.from({ length: 1200 }, (_, i) => `bulk-${seq}-${i}`);
    const now = dbNow(db.dialect);
    for (let i = 0; i < many.length; i += 400) {
      await db.kysely
        .insertInto('resource_routings')
        .values(
          many.slice(i, i + 400).map((t) => ({ top_id: t, bottom_id: `b-${t}`, pod_id: pod1.id, project_id: 'bulk', resource_type: 'port', created_at: now, updated_at: now })),
        )
        .execute();
    }
    const found = await routings.findByTops('port', [...many, ...many]);
    assert.equal(found.length, 1200);
    assert.deepEqual(
      found.map((r) => r.id),
      [...found.map((r) => r.id)].sort((x, y) => x - y),
    );
    assert.equal((await routings.topIdsRoutedInPod('port', pod1.id, many)).size, 1200);
    assert.equal((await routings.topIdsByBottom({ resourceTypes: ['port'], podIds: [pod1.id], bottomIds: many.map((t) => `b-${t}`) })).get(pod1.id)?.size, 1200);
    assert.equal(await routings.deleteByTop('port', many), 1200);
  });

  test('bottomIdOf answers only for a complete route in that pod', async () => {
    const t = id('net');
    await route(t, pod1, 'network', 'b-1');
    await route(t, pod2, 'network', null);
    assert.equal(await routings.bottomIdOf('network', t, pod1.id), 'b-1');
    assert.equal(await routings.bottomIdOf('network', t, pod2.id), undefined);
    assert.equal(await routings.bottomIdOf('network', t, pod3.id), undefined);
    assert.equal(await routings.bottomIdOf('subnet', t, pod1.id), undefined);
  });

  test('podsOfCopies: complete copies only, in the order they were made', async () => {
    const a = id('net');
    const b = id('net');
    await route(a, pod3, 'network');
    await route(b, pod1, 'network', null);
    await route(a, pod1, 'network');
    await route(b, pod2, 'network');
    const pods = await routings.podsOfCopies('network', [a, b, 'missing']);
    assert.deepEqual(Object.fromEntries(pods), { [a]: [pod3.id, pod1.id], [b]: [pod2.id] });
  });

  test('availabilityZonesOfCopies: distinct sorted AZs of bottom pods with a complete copy', async () => {
    const a = id('net');
    const b = id('net');
    const c = id('net');
    await route(a, pod2, 'network');
    await route(a, pod1, 'network');
    await route(a, pod3, 'network');
    await route(a, top, 'network');
    await route(b, pod2, 'network', null);
    await route(c, top, 'network');
    const zones = await routings.availabilityZonesOfCopies('network', [a, b, c]);
    assert.deepEqual(Object.fromEntries(zones), { [a]: ['az1', 'az2'] });
    assert.equal((await routings.availabilityZonesOfCopies('network', [])).size, 0);
  });

  test('topIdsRoutedInPod counts copies being made; deleteByTop in one pod or all', async () => {
    const a = id('subnet');
    const b = id('subnet');
    const c = id('subnet');
    await route(a, pod1, 'subnet');
    await route(b, pod1, 'subnet', null);
    await route(c, pod2, 'subnet');
    await route(c, pod1, 'network');
    assert.deepEqual([...(await routings.topIdsRoutedInPod('subnet', pod1.id, [a, b, c]))].sort(), [a, b].sort());
    await route(a, pod2, 'subnet');
    assert.equal(await routings.deleteByTop('subnet', [a, c], { podId: pod2.id }), 2);
    assert.equal((await routings.findByTop(a, 'subnet')).length, 1, 'the copy in the other pod stays');
    assert.equal(await routings.deleteByTop('subnet', [a, b]), 2);
    assert.equal((await routings.findByTop(c, 'network')).length, 1, 'other types stay');
  });

  test('topIdsByBottom maps bottom ids to top ids per pod, for several types, complete routes only', async () => {
    const vm = id('vm');
    const router = id('router');
    const net = id('net');
    await route(vm, pod1, 'server', `b-${vm}`);
    await route(router, pod1, 'router', `b-${router}`);
    await route(router, pod2, 'router', `b2-${router}`);
    await route(net, pod1, 'network', `b-${net}`);
    await route(id('vm'), pod1, 'server', null);
    const all = await routings.topIdsByBottom({ resourceTypes: ['server', 'router'], podIds: [pod1.id, pod2.id] });
    assert.equal(all.get(pod1.id)?.get(`b-${vm}`), vm);
    assert.equal(all.get(pod1.id)?.get(`b-${router}`), router);
    assert.equal(all.get(pod1.id)?.has(`b-${net}`), false);
    assert.equal(all.get(pod2.id)?.get(`b2-${router}`), router);
    const some = await routings.topIdsByBottom({ resourceTypes: ['server', 'router'], podIds: [pod1.id], bottomIds: [`b-${vm}`, 'unknown'] });
    assert.deepEqual([...some.get(pod1.id)!], [[`b-${vm}`, vm]]);
    assert.equal((await routings.topIdsByBottom({ resourceTypes: [], podIds: [pod1.id] })).size, 0);
  });

  test('isBottomRouted and deleteByBottom', async () => {
    const t = id('port');
    await route(t, pod1, 'port', `b-${t}`);
    assert.equal(await routings.isBottomRouted('port', pod1.id, `b-${t}`), true);
    assert.equal(await routings.isBottomRouted('port', pod2.id, `b-${t}`), false);
    assert.equal(await routings.isBottomRouted('network', pod1.id, `b-${t}`), false);
    assert.equal(await routings.deleteByBottom('port', pod2.id, `b-${t}`), 0);
    assert.equal(await routings.deleteByBottom('port', pod1.id, `b-${t}`), 1);
    assert.equal(await routings.isBottomRouted('port', pod1.id, `b-${t}`), false);
  });

  test('counts per pod and project, pods holding a type, projects with routes, a project’s routes', async () => {
    const p = id('proj');
    const q = id('proj');
    const pods = new PodRegistry(db);
    const lone = await pods.create({ regionName: id('Lone'), azName: 'az9' });
    await route(id('vm'), pod1, 'server', undefined, p);
    await route(id('vm'), pod1, 'server', null, p);
    await route(id('vol'), pod1, 'volume', undefined, p);
    await route(id('vol'), pod2, 'volume', undefined, p);
    await route(id('net'), pod3, 'network', undefined, p);
    await route(id('vm'), pod3, 'server', undefined, q);
    const foreign = await route(id('net'), lone, 'network', undefined, q);

    assert.deepEqual(Object.fromEntries(await routings.countsByPod(p, ['server', 'volume'], [pod1.id, pod2.id, pod3.id])), { [pod1.id]: 3, [pod2.id]: 1 });
    assert.deepEqual(Object.fromEntries(await routings.countsByPod(p, ['server'], [pod2.id])), {});
    assert.equal((await routings.countsByPod(p, [], [pod1.id])).size, 0);
    assert.equal(await routings.countInPod(lone.id), 1);

    assert.deepEqual(await routings.podIdsHolding('volume', { projectId: p }), [pod1.id, pod2.id].sort());
    assert.deepEqual(await routings.podIdsHolding('server', { projectId: q }), [pod3.id]);
    const anyServer = await routings.podIdsHolding('server');
    assert.ok(anyServer.includes(pod1.id) && anyServer.includes(pod3.id));

    const projects = await routings.projectsWithRoutes(['volume', 'server']);
    assert.ok(projects.includes(p) && projects.includes(q));
    assert.deepEqual(projects, [...projects].sort());
    assert.equal((await routings.projectsWithRoutes(['network'])).includes(p), true);
    assert.deepEqual(await routings.projectsWithRoutes([]), []);

    const mine = await routings.routesOfProject(p);
    assert.equal(mine.length, 5);
    const plus = await routings.routesOfProject(p, { alsoTopIds: [foreign.topId, mine[0].topId] });
    assert.deepEqual(ids(plus), [...ids(mine), foreign.id]);
  });

  test('deleteIfExists and deleteIfUnchanged never throw for a row already gone', async () => {
    const a = await route(id('net'), pod1, 'network');
    assert.equal(await routings.deleteIfExists(a.id), true);
    assert.equal(await routings.deleteIfExists(a.id), false);
    const b = await route(id('net'), pod1, 'network', null);
    await routings.update(b.id, { bottomId: 'made-meanwhile' });
    assert.equal(await routings.deleteIfUnchanged(b), false, 'completed since it was read');
    assert.equal(await routings.deleteIfUnchanged({ id: b.id, bottomId: 'made-meanwhile' }), true);
    assert.equal(await routings.deleteIfUnchanged({ id: b.id, bottomId: 'made-meanwhile' }), false);
  });

  test('stale lock claims: found by the database clock, completed or removed only if unchanged since read', async () => {
    const project = id('proj');
    const old = await route(id('net'), pod1, 'network', null, project);
    const young = await route(id('net'), pod1, 'network', null, project);
    const done = await route(id('net'), pod1, 'network', 'b', project);
    await age(old.id, 120_000);
    await age(done.id, 120_000);
    const intent = await routings.recordIntent({ podId: pod1.id, projectId: project, resourceType: 'server', requestId: 'req-x' });
    await age(intent.id, 120_000);

    const stale = await routings.staleClaims(project, 60_000);
    assert.deepEqual(ids(stale), [old.id], 'young claims, complete routes and intents are not stale claims');

    // Refreshed (as the lock's owner does) after it was read: neither completed nor removed.
    const seen = stale[0];
    await sql`update resource_routings set updated_at = updated_at + 1 where id = ${seen.id}`.execute(db.kysely);
    assert.equal(await routings.completeClaim(seen, 'adopted'), false);
    assert.equal(await routings.deleteClaim(seen), false);
    const now = (await routings.find(seen.id))!;
    assert.equal(await routings.completeClaim(now, 'adopted'), true);
    assert.equal(await routings.bottomIdOf('network', seen.topId, pod1.id), 'adopted');
    assert.equal(await routings.deleteClaim(await routings.get(young.id)), true);
    assert.equal(await routings.find(young.id), undefined);
  });
});
