import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dbNow, migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { RoutingBindFail, RoutingLock, RoutingTable } from '../../src/routing/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describeEachDatabase('RoutingLock.getOrCreateBottom', (dialect) => {
  let scratch: ScratchDatabase;
  /** Several handles on one database, as several API processes would have. */
  let dbs: Db[];
  let db: Db;
  let lock: RoutingLock;
  let routings: RoutingTable;
  let seq = 0;
  const podId = 'pod-1';
  const nextTop = () => `top-${++seq}`;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    dbs = [0, 1, 2].map(() => openDatabase(scratch.url, { maxPoolSize: 5 }));
    db = dbs[0];
    await migrateToLatest(db);
    const now = dbNow(db.dialect);
    await db.kysely
      .insertInto('pods')
      .values({
        id: podId,
        region_name: 'Pod1',
        az_name: 'az1',
        pod_az_name: 'nova',
        dc_name: '',
        disabled: 0,
        health: 'unknown',
        top_marker: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    lock = new RoutingLock(db);
    routings = new RoutingTable(db);
  });
  after(async () => {
    await Promise.all((dbs ?? []).map((d) => d.close()));
    // pg's pool.end() resolves before its clients have hung up; a forced drop would kill them mid-close.
    await sleep(100);
    await scratch?.drop();
  });

  /** Puts an incomplete route whose last refresh was `ageMs` ago on the database clock. */
  async function abandonedRoute(topId: string, ageMs: number): Promise<number> {
    const route = await routings.create({ topId, bottomId: null, podId, projectId: 'proj', resourceType: 'network' });
    await sql`update resource_routings set updated_at = ${dbNow(db.dialect)} - ${ageMs} where id = ${route.id}`.execute(db.kysely);
    return route.id;
  }

  const routesOf = (topId: string) => routings.list({ topId, podId, resourceType: 'network' });

  test('20 concurrent callers in three processes: one create, one bottom id for all', async () => {
    const topId = nextTop();
    let creates = 0;
    let finds = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new RoutingLock(dbs[i % dbs.length]).getOrCreateBottom({
          topId,
          podId,
          projectId: 'proj',
          resourceType: 'network',
          create: async () => {
            creates++;
            await sleep(150);
            return 'bottom-net-1';
          },
          findByName: async () => {
            finds++;
            return undefined;
          },
        }),
      ),
    );
    assert.equal(creates, 1);
    assert.equal(finds, 0);
    assert.deepEqual(new Set(results.map((r) => r.bottomId)), new Set(['bottom-net-1']));
    assert.equal(results.filter((r) => r.created).length, 1);
    const rows = await routesOf(topId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].bottomId, 'bottom-net-1');
    assert.equal(rows[0].projectId, 'proj');
  });

  test('a complete route is reused without calling create', async () => {
    const topId = nextTop();
    await routings.create({ topId, bottomId: 'existing', podId, projectId: 'proj', resourceType: 'network' });
    const result = await lock.getOrCreateBottom({
      topId,
      podId,
      projectId: 'proj',
      resourceType: 'network',
      create: () => assert.fail('create must not be called'),
      findByName: () => assert.fail('findByName must not be called'),
    });
    assert.deepEqual(result, { bottomId: 'existing', created: false });
  });

  test('a failed create removes the route and rethrows; the next call creates', async () => {
    const topId = nextTop();
    const input = { topId, podId, projectId: 'proj', resourceType: 'network', findByName: async () => undefined };
    await assert.rejects(lock.getOrCreateBottom({ ...input, create: async () => Promise.reject(new Error('pod said no')) }), /pod said no/);
    assert.deepEqual(await routesOf(topId), []);
    const result = await lock.getOrCreateBottom({ ...input, create: async () => 'bottom-after-failure' });
    assert.deepEqual(result, { bottomId: 'bottom-after-failure', created: true });
  });

  test('waiters on a failing creator take over: one caller sees the failure, the rest the second create', async () => {
    const topId = nextTop();
    let creates = 0;
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        new RoutingLock(dbs[i % dbs.length]).getOrCreateBottom({
          topId,
          podId,
          projectId: 'proj',
          resourceType: 'network',
          create: async () => {
            const n = ++creates;
            await sleep(80);
            if (n === 1) throw new Error('first create fails');
            return 'bottom-second';
          },
          findByName: async () => undefined,
        }),
      ),
    );
    assert.equal(creates, 2);
    assert.equal(settled.filter((s) => s.status === 'rejected').length, 1);
    const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    assert.equal(ok.length, 5);
    assert.ok(ok.every((r) => r.bottomId === 'bottom-second'));
    assert.equal(ok.filter((r) => r.created).length, 1);
  });

  test('an abandoned route whose bottom resource exists by name is adopted', async () => {
    const topId = nextTop();
    const routeId = await abandonedRoute(topId, 31_000);
    const result = await lock.getOrCreateBottom({
      topId,
      podId,
      projectId: 'proj',
      resourceType: 'network',
      create: () => assert.fail('create must not be called'),
      findByName: async () => 'bottom-found-by-name',
    });
    assert.deepEqual(result, { bottomId: 'bottom-found-by-name', created: false });
    const rows = await routesOf(topId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, routeId);
    assert.equal(rows[0].bottomId, 'bottom-found-by-name');
  });

  test('an abandoned route without a bottom resource is removed and the resource created', async () => {
    const topId = nextTop();
    const oldId = await abandonedRoute(topId, 31_000);
    let finds = 0;
    const result = await lock.getOrCreateBottom({
      topId,
      podId,
      projectId: 'proj',
      resourceType: 'network',
      create: async () => 'bottom-recreated',
      findByName: async () => {
        finds++;
        return undefined;
      },
    });
    assert.deepEqual(result, { bottomId: 'bottom-recreated', created: true });
    assert.equal(finds, 1);
    const rows = await routesOf(topId);
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].id, oldId);
  });

  test('expiry is measured on the database clock: 29 s old is in progress, days old is abandoned', async () => {
    const young = nextTop();
    await abandonedRoute(young, 29_000);
    await assert.rejects(
      lock.getOrCreateBottom({
        topId: young,
        podId,
        projectId: 'proj',
        resourceType: 'network',
        maxWaitMs: 200,
        create: () => assert.fail('create must not be called'),
        findByName: () => assert.fail('a route in progress must not be recovered'),
      }),
      (err: unknown) => err instanceof RoutingBindFail && err.status === 503,
    );

    // Two days and ten seconds: a days-blind elapsed-time check would see 10 s and wait.
    const old = nextTop();
    await abandonedRoute(old, 2 * 86_400_000 + 10_000);
    const result = await lock.getOrCreateBottom({
      topId: old,
      podId,
      projectId: 'proj',
      resourceType: 'network',
      maxWaitMs: 200,
      create: async () => 'bottom-for-old',
      findByName: async () => undefined,
    });
    assert.deepEqual(result, { bottomId: 'bottom-for-old', created: true });
  });

  test('concurrent recoverers of one abandoned route: one adoption, everyone gets it', async () => {
    const topId = nextTop();
    await abandonedRoute(topId, 60_000);
    let creates = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        new RoutingLock(dbs[i % dbs.length]).getOrCreateBottom({
          topId,
          podId,
          projectId: 'proj',
          resourceType: 'network',
          create: async () => {
            creates++;
            return 'never';
          },
          findByName: async () => {
            await sleep(20);
            return 'bottom-adopted';
          },
        }),
      ),
    );
    assert.equal(creates, 0);
    assert.ok(results.every((r) => r.bottomId === 'bottom-adopted' && !r.created));
  });

  test('a creator slower than the expiry keeps its claim alive: nobody recovers it', async () => {
    const topId = nextTop();
    let creates = 0;
    let finds = 0;
    const input = (d: Db) =>
      new RoutingLock(d).getOrCreateBottom({
        topId,
        podId,
        projectId: 'proj',
        resourceType: 'network',
        expireMs: 300,
        create: async () => {
          creates++;
          await sleep(1_000);
          return 'bottom-slow';
        },
        findByName: async () => {
          finds++;
          return undefined;
        },
      });
    const owner = input(dbs[0]);
    await sleep(50);
    const waiters = [input(dbs[1]), input(dbs[2])];
    const results = await Promise.all([owner, ...waiters]);
    assert.equal(creates, 1);
    assert.equal(finds, 0);
    assert.ok(results.every((r) => r.bottomId === 'bottom-slow'));
  });

  test('a creator that stalled past the expiry yields to the recoverer and discards its duplicate', async () => {
    const topId = nextTop();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const discarded: string[] = [];
    const stalled = lock.getOrCreateBottom({
      topId,
      podId,
      projectId: 'proj',
      resourceType: 'network',
      create: async () => {
        await gate;
        return 'bottom-stalled';
      },
      findByName: async () => undefined,
      discard: async (id) => {
        discarded.push(id);
      },
    });
    while ((await routesOf(topId)).length === 0) await sleep(5);
    await sql`update resource_routings set updated_at = ${dbNow(db.dialect)} - 31000 where top_id = ${topId}`.execute(db.kysely);
    const recoverer = await new RoutingLock(dbs[1]).getOrCreateBottom({
      topId,
      podId,
      projectId: 'proj',
      resourceType: 'network',
      create: async () => 'bottom-recoverer',
      findByName: async () => undefined,
    });
    assert.deepEqual(recoverer, { bottomId: 'bottom-recoverer', created: true });
    release();
    assert.deepEqual(await stalled, { bottomId: 'bottom-recoverer', created: false });
    assert.deepEqual(discarded, ['bottom-stalled']);
    assert.equal((await routesOf(topId)).length, 1);
  });

  test('forceRedo expires a complete route at once; the next call re-checks the pod', async () => {
    const topId = nextTop();
    await routings.create({ topId, bottomId: 'stale-bottom', podId, projectId: 'proj', resourceType: 'network' });
    assert.equal(await lock.forceRedo(topId, podId, 'network'), true);
    assert.equal(await lock.forceRedo('no-such-top', podId, 'network'), false);
    assert.equal((await routesOf(topId))[0].bottomId, null);
    const result = await lock.getOrCreateBottom({
      topId,
      podId,
      projectId: 'proj',
      resourceType: 'network',
      create: async () => 'fresh-bottom',
      findByName: async () => undefined,
    });
    assert.deepEqual(result, { bottomId: 'fresh-bottom', created: true });
  });

  test('routes of other types and pods for the same top id are independent', async () => {
    const topId = nextTop();
    const a = await lock.getOrCreateBottom({ topId, podId, projectId: 'proj', resourceType: 'network', create: async () => 'n', findByName: async () => undefined });
    const b = await lock.getOrCreateBottom({ topId, podId, projectId: 'proj', resourceType: 'subnet', create: async () => 's', findByName: async () => undefined });
    assert.deepEqual(
      [a, b],
      [
        { bottomId: 'n', created: true },
        { bottomId: 's', created: true },
      ],
    );
  });
});
