import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCinderEnv, waitForStatus, type CinderEnv } from './support.js';

/**
 * Intent first in the volume create (docs/routing.md): a create whose answer is lost leaves its
 * intent, and the reconciler's repair (volumeIntentFinder) routes the volume the pod made, a clone
 * without a size of its own included.
 */
const POD_TIMEOUT_S = 3;

describe('Cinder API gateway: volume creates write their route intent first', () => {
  let env: CinderEnv;
  const intents = () => env.tc.core.routings.staleIntents({ olderThanMs: 0, projectId: env.demo.project });
  const repair = () => env.tc.wiring.reconcileProject(env.demo.project, { submit: async () => 'none', intentStaleAfterMs: 0 });
  const podVolumes = async (name: string) =>
    ((await env.pod('Pod1', 'demo', 'GET', `/volumes/detail?name=${name}`)).body.volumes as { id: string; name: string; source_volid: string | null }[]).filter(
      (v) => v.name === name,
    );
  const lostCreate = async (volume: Record<string, unknown>) => {
    await env.cluster.setFaults('Pod1', { createAnswerDelayMs: (POD_TIMEOUT_S + 5) * 1000 });
    try {
      return await env.call('demo', 'POST', '/volumes', { body: { volume: { availability_zone: 'az1', ...volume } } });
    } finally {
      await env.cluster.setFaults('Pod1', { createAnswerDelayMs: 0 });
    }
  };

  before(async () => {
    env = await startCinderEnv({ services: ['admin-api', 'cinder-apigw', 'neutron-api'], extra: { client: { pod_timeout: POD_TIMEOUT_S } } });
  });
  after(async () => {
    await env?.close();
  });

  test('an accepted create leaves one route and no intent; a refused one leaves neither', async () => {
    const ok = await env.call('demo', 'POST', '/volumes', { body: { volume: { name: 'v-ok', size: 1, availability_zone: 'az1' } } });
    assert.equal(ok.status, 202, ok.text);
    assert.deepEqual(
      (await env.tc.core.routings.findByTop(ok.body.volume.id, 'volume')).map((r) => r.bottomId),
      [ok.body.volume.id],
    );
    const refused = await env.call('demo', 'POST', '/volumes', {
      body: { volume: { name: 'v-refused', size: 1, availability_zone: 'az1', snapshot_id: '00000000-0000-4000-8000-000000000000' } },
    });
    assert.equal(refused.status, 404, refused.text);
    assert.deepEqual(await intents(), []);
  });

  test('answers lost after the pod made a volume and a clone: the repair routes both', async () => {
    const lost = await lostCreate({ name: 'v-lost', size: 2 });
    assert.equal(lost.status, 503, lost.text);
    const [made] = await podVolumes('v-lost');
    assert.ok(made, 'the pod made the volume');
    assert.equal((await env.call('demo', 'GET', `/volumes/${made.id}`)).status, 404, 'not routed yet');

    // A clone of a routed volume names no size: the finder matches it by its source.
    const source = await env.call('demo', 'POST', '/volumes', { body: { volume: { name: 'v-source', size: 1, availability_zone: 'az1' } } });
    assert.equal(source.status, 202, source.text);
    await waitForStatus(env, 'demo', source.body.volume.id, ['available']);
    const lostClone = await lostCreate({ name: 'v-clone', source_volid: source.body.volume.id });
    assert.equal(lostClone.status, 503, lostClone.text);
    const [clone] = await podVolumes('v-clone');
    assert.ok(clone, 'the pod made the clone');
    assert.deepEqual(
      (await intents()).map((i) => [i.resourceType, i.name]),
      [
        ['volume', 'v-lost'],
        ['volume', 'v-clone'],
      ],
    );

    const report = await repair();
    assert.deepEqual(report.errors, []);
    assert.deepEqual(await intents(), []);
    for (const v of [made, clone]) {
      const shown = await env.call('demo', 'GET', `/volumes/${v.id}`);
      assert.equal(shown.status, 200, shown.text);
      assert.equal(shown.body.volume.name, v.name);
    }
    assert.deepEqual((await repair()).findings, [], 'a second run finds nothing more to do');
  });
});
