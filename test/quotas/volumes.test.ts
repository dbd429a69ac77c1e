import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { startCinderEnv, type CinderEnv } from '../cinder/support.js';

/** Volume quotas are limits: concurrent creates are admitted under one per-project lock, usage is the top's own. */
describeEachDatabase('volume quotas are limits', (dialect) => {
  let env: CinderEnv;
  before(async () => {
    env = await startCinderEnv({ dialect });
  });
  after(async () => env?.close());

  test('50 parallel creates against volumes=10 admit exactly 10; gigabytes too', async () => {
    const set = await env.call('admin', 'PUT', `/os-quota-sets/${env.demo.project}`, { body: { quota_set: { volumes: 10 } } });
    assert.equal(set.status, 200, set.text);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1, name: `par-${i}`, availability_zone: i % 2 ? 'az1' : 'az2' } } })),
    );
    const codes = answers.map((a) => a.status);
    assert.equal(codes.filter((c) => c === 202).length, 10, `codes: ${codes.join(',')}`);
    assert.equal(codes.filter((c) => c === 413).length, 40, `codes: ${codes.join(',')}`);
    const refused = answers.find((a) => a.status === 413)!;
    assert.equal(refused.body.overLimit.message, "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota 'volumes'.");
    let inPods = 0;
    for (const region of ['Pod1', 'Pod2']) inPods += (await env.pod(region, 'demo', 'GET', '/volumes')).body.volumes.length;
    assert.equal(inPods, 10);

    await env.call('admin', 'PUT', `/os-quota-sets/${env.demo.project}`, { body: { quota_set: { volumes: 100, gigabytes: 15 } } });
    const big = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 6 } } });
    assert.equal(big.status, 413);
    assert.match(big.body.overLimit.message, /^VolumeSizeExceedsAvailableQuota: .* Requested 6G, quota is 15G and 10G has been consumed\.$/);
    assert.equal((await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 5 } } })).status, 202);
  });

  test('a deleted volume frees its quota', async () => {
    const list = await env.call('demo', 'GET', '/volumes');
    const victim = list.body.volumes[0].id;
    assert.equal((await env.call('demo', 'DELETE', `/volumes/${victim}`)).status, 202);
    const until = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < until) {
      const res = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1 } } });
      status = res.status;
      if (status === 202) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 202);
  });

  test('an extend counts its growth against gigabytes before the pod is asked; a refused extend counts nothing', async () => {
    const detail = await env.call('demo', 'GET', '/volumes/detail');
    const used = (detail.body.volumes as { size: number }[]).reduce((n, v) => n + v.size, 0);
    const victim = (detail.body.volumes as { id: string; size: number; status: string }[]).find((v) => v.status === 'available')!;
    const setLimit = async (gigabytes: number) =>
      assert.equal((await env.call('admin', 'PUT', `/os-quota-sets/${env.demo.project}`, { body: { quota_set: { gigabytes } } })).status, 200);
    const extend = (newSize: number) => env.call('demo', 'POST', `/volumes/${victim.id}/action`, { body: { 'os-extend': { new_size: newSize } } });

    await setLimit(used + 3);
    const grown = await extend(victim.size + 3);
    assert.equal(grown.status, 202, grown.text);
    // The growth counts at the top: not even 1G more fits.
    const oneMore = await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1 } } });
    assert.equal(oneMore.status, 413, oneMore.text);
    const tooFar = await extend(victim.size + 4);
    assert.equal(tooFar.status, 413, tooFar.text);
    assert.equal(
      tooFar.body.overLimit.message,
      `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 1G, quota is ${used + 3}G and ${used + 3}G has been consumed.`,
    );

    // A shrink is the pod's 400, and the volume keeps counting its size.
    await setLimit(used + 4);
    const shrink = await extend(victim.size + 1);
    assert.equal(shrink.status, 400, shrink.text);
    assert.equal((await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 2 } } })).status, 413);
    assert.equal((await env.call('demo', 'POST', '/volumes', { body: { volume: { size: 1 } } })).status, 202);
  });
});
