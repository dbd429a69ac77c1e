import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/index.js';
import { PodRegistry } from '../../src/pods/index.js';
import { RoutingTable } from '../../src/routing/index.js';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../support/databases.js';

const settle = (dialect: string) => (dialect === 'sqlite' ? Promise.resolve() : new Promise((r) => setTimeout(r, 200)));

describeEachDatabase('PodRegistry.delete', (dialect) => {
  let scratch: ScratchDatabase;
  let db: Db;
  let pods: PodRegistry;
  let routings: RoutingTable;

  before(async () => {
    scratch = await createScratchDatabase(dialect);
    db = openDatabase(scratch.url, { maxPoolSize: 4 });
    await migrateToLatest(db);
    routings = new RoutingTable(db);
    pods = new PodRegistry(db, routings);
  });
  after(async () => {
    await db?.close();
    await settle(dialect);
    await scratch?.drop();
  });

  test('refused (409) while a route or a create under way points at the pod, done once none does', async () => {
    const pod = await pods.create({ regionName: 'PodD', azName: 'azd' });
    const route = await routings.create({ topId: 'net-1', bottomId: 'b-net-1', podId: pod.id, projectId: 'p', resourceType: 'network' });
    const intent = await routings.recordIntent({ podId: pod.id, projectId: 'p', resourceType: 'server', requestId: 'req-1' });
    await assert.rejects(
      pods.delete(pod.id),
      (err: { status?: number; message?: string }) => err.status === 409 && /2 routing entries and 0 tenant bindings/.test(err.message ?? ''),
    );
    await routings.delete(route.id);
    await assert.rejects(pods.delete(pod.id), /1 routing entries/);
    await routings.dropIntent(intent);
    await pods.delete(pod.id);
    assert.equal(await pods.find(pod.id), undefined);
  });
});
