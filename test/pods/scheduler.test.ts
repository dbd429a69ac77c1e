import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/common/errors.js';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { PodRegistry, PodScheduler, type Pod, type PodChoicePolicy } from '../../src/pods/index.js';
import { RoutingTable } from '../../src/routing/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

/**
 * pg-pool's end() resolves before its sockets have closed; dropping the database `with (force)`
 * right away kills those backends and their clients raise an uncaught error. Give them a moment.
 */
const settle = (dialect: string) => (dialect === 'sqlite' ? Promise.resolve() : new Promise((r) => setTimeout(r, 200)));

describeEachDatabase('PodScheduler', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let pods: PodRegistry;
  let routes: RoutingTable;
  let scheduler: PodScheduler;
  let seq = 0;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 12 });
    await migrateToLatest(db);
    pods = new PodRegistry(db);
    routes = new RoutingTable(db);
    scheduler = new PodScheduler(db);
    await pods.create({ regionName: 'TopRegion' });
  });
  after(async () => {
    await db?.close();
    await settle(dialect);
    await scratch?.drop();
  });

  /** A fresh AZ with bottom pods named by region (created in the given order). */
  async function az(...regions: string[]): Promise<{ name: string; pods: Pod[] }> {
    const name = `az-${++seq}`;
    const made: Pod[] = [];
    for (const r of regions) made.push(await pods.create({ regionName: `${name}-${r}`, azName: name }));
    return { name, pods: made };
  }
  const project = () => `proj-${++seq}`;
  async function give(projectId: string, pod: Pod, type: 'server' | 'volume', n: number): Promise<void> {
    for (let i = 0; i < n; i++) await routes.create({ topId: `${type}-${++seq}`, bottomId: `b-${seq}`, podId: pod.id, projectId, resourceType: type });
  }
  async function currentBindings(projectId: string): Promise<{ podId: string }[]> {
    return db.kysely.selectFrom('pod_bindings').select('pod_id as podId').where('project_id', '=', projectId).where('is_current', '=', 1).execute();
  }

  test('chooses the pod with the fewest of the project’s servers and volumes, and binds to it', async () => {
    const zone = await az('a', 'b', 'c');
    const [a, b, c] = zone.pods;
    const p = project();
    await give(p, a, 'server', 2);
    await give(p, b, 'volume', 1);
    await give(p, c, 'server', 1);
    await give(p, c, 'volume', 1);
    await give('someone-else', b, 'server', 5); // other projects do not count
    await routes.create({ topId: `net-${++seq}`, bottomId: null, podId: b.id, projectId: p, resourceType: 'network' }); // nor other types
    const chosen = await scheduler.schedule({ projectId: p, azName: zone.name });
    assert.equal(chosen.id, b.id);
    assert.deepEqual(await currentBindings(p), [{ podId: b.id }]);
  });

  test('reuses the current binding even when another pod now has fewer resources', async () => {
    const zone = await az('a', 'b');
    const p = project();
    const first = await scheduler.schedule({ projectId: p, azName: zone.name });
    await give(p, first, 'server', 3);
    const again = await scheduler.schedule({ projectId: p, azName: zone.name });
    assert.equal(again.id, first.id);
    assert.equal((await currentBindings(p)).length, 1);
  });

  test('ties go to the first region name, whatever the creation order', async () => {
    const zone = await az('zulu', 'alpha', 'mike');
    const chosen = await scheduler.schedule({ projectId: project(), azName: zone.name });
    assert.equal(chosen.regionName, `${zone.name}-alpha`);
  });

  test('disabled pods and pods whose health is down are skipped; unknown health is fine', async () => {
    const zone = await az('a', 'b', 'c');
    const [a, b, c] = zone.pods;
    await pods.update(a.id, { disabled: true });
    await pods.setHealth(b.id, 'down');
    const p = project();
    await give(p, c, 'server', 4);
    const chosen = await scheduler.schedule({ projectId: p, azName: zone.name });
    assert.equal(chosen.id, c.id);
    assert.equal(chosen.health, 'unknown');
  });

  test('a binding to a pod that became disabled or down is replaced, and the new one stays', async () => {
    const zone = await az('a', 'b', 'c');
    const [a, b, c] = zone.pods;
    const p = project();
    assert.equal((await scheduler.schedule({ projectId: p, azName: zone.name })).id, a.id);

    await pods.update(a.id, { disabled: true });
    await give(p, c, 'server', 1);
    assert.equal((await scheduler.schedule({ projectId: p, azName: zone.name })).id, b.id);
    assert.deepEqual(await currentBindings(p), [{ podId: b.id }]);

    await pods.update(a.id, { disabled: false });
    assert.equal((await scheduler.schedule({ projectId: p, azName: zone.name })).id, b.id, 'no flapping back');

    // b goes down: back to a, whose old binding row becomes current again (no duplicate row).
    await pods.setHealth(b.id, 'down');
    assert.equal((await scheduler.schedule({ projectId: p, azName: zone.name })).id, a.id);
    assert.deepEqual(await currentBindings(p), [{ podId: a.id }]);
    const rows = await db.kysely.selectFrom('pod_bindings').select(['pod_id', 'is_current']).where('project_id', '=', p).execute();
    assert.equal(rows.length, 2);
  });

  test('bindings in other AZs are left alone', async () => {
    const z1 = await az('a');
    const z2 = await az('a');
    const p = project();
    const one = await scheduler.schedule({ projectId: p, azName: z1.name });
    const two = await scheduler.schedule({ projectId: p, azName: z2.name });
    assert.notEqual(one.id, two.id);
    assert.equal((await currentBindings(p)).length, 2);
  });

  test('no eligible pod in the AZ is a 400 naming the AZ', async () => {
    await assert.rejects(
      scheduler.schedule({ projectId: project(), azName: 'az9' }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === 'No available pod in availability zone az9',
    );
    const zone = await az('a');
    await pods.update(zone.pods[0].id, { disabled: true });
    await assert.rejects(
      scheduler.schedule({ projectId: project(), azName: zone.name }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === `No available pod in availability zone ${zone.name}`,
    );
  });

  test('10 concurrent first schedules of one project in one AZ end with one current binding, returned to every call', async () => {
    const zone = await az('a', 'b', 'c');
    // A policy that picks at random: without serialisation the callers would bind different pods.
    const randomPolicy: PodChoicePolicy = { choose: (candidates) => candidates[Math.floor(Math.random() * candidates.length)] };
    // On PostgreSQL and MariaDB a second connection pool plays a second gateway process.
    const other = dialect === 'sqlite' ? db : openDatabase(scratch.url, { maxPoolSize: 6 });
    try {
      for (const policy of [undefined, randomPolicy]) {
        const p = project();
        const schedulers = [new PodScheduler(db, { policy }), new PodScheduler(other, { policy })];
        const chosen = await Promise.all(Array.from({ length: 10 }, (_, i) => schedulers[i % 2].schedule({ projectId: p, azName: zone.name })));
        const bound = await currentBindings(p);
        assert.equal(bound.length, 1, 'one current binding');
        assert.deepEqual(new Set(chosen.map((pod) => pod.id)), new Set([bound[0].podId]), 'every call returns the bound pod');
      }
    } finally {
      if (other !== db) await other.close();
    }
  });

  test('a custom policy is used', async () => {
    const zone = await az('a', 'b');
    const last: PodChoicePolicy = { choose: (candidates) => candidates[candidates.length - 1] };
    const chosen = await new PodScheduler(db, { policy: last }).schedule({ projectId: project(), azName: zone.name });
    assert.equal(chosen.id, zone.pods[1].id);
  });
});

describeEachDatabase('PodScheduler without an AZ', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let pods: PodRegistry;
  let routes: RoutingTable;
  let scheduler: PodScheduler;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 4 });
    await migrateToLatest(db);
    pods = new PodRegistry(db);
    routes = new RoutingTable(db);
    scheduler = new PodScheduler(db);
  });
  after(async () => {
    await db?.close();
    await settle(dialect);
    await scratch?.drop();
  });

  test('no bottom pod at all (only the top pod) is a 400', async () => {
    await pods.create({ regionName: 'Top' });
    await assert.rejects(scheduler.schedule({ projectId: 'p0' }), (e: unknown) => e instanceof ApiError && e.status === 400 && e.message === 'No bottom pod is available');
    await assert.rejects(scheduler.schedule({ projectId: 'p0', azName: '' }), /No bottom pod is available/);
  });

  test('any eligible bottom pod by the same rule, preferring the project’s current binding', async () => {
    const x1 = await pods.create({ regionName: 'X1', azName: 'azx' });
    const y1 = await pods.create({ regionName: 'Y1', azName: 'azy' });
    const y2 = await pods.create({ regionName: 'Y2', azName: 'azy', disabled: true });
    void y2;
    await routes.create({ topId: 's1', bottomId: 's1', podId: x1.id, projectId: 'p1', resourceType: 'server' });
    // No binding: the fewest resources across AZs (Y1 has none of p1's).
    assert.equal((await scheduler.schedule({ projectId: 'p1' })).id, y1.id);
    // p2 is bound in azx: that binding wins over a pod with fewer resources.
    assert.equal((await scheduler.schedule({ projectId: 'p2', azName: 'azx' })).id, x1.id);
    await routes.create({ topId: 's2', bottomId: 's2', podId: x1.id, projectId: 'p2', resourceType: 'server' });
    assert.equal((await scheduler.schedule({ projectId: 'p2' })).id, x1.id);
    // Once the bound pod is disabled, another pod is chosen (and bound in its own AZ).
    await pods.update(x1.id, { disabled: true });
    assert.equal((await scheduler.schedule({ projectId: 'p2' })).id, y1.id);
    assert.equal((await scheduler.schedule({ projectId: 'p2', azName: 'azy' })).id, y1.id);
  });
});
