import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCinderEnv } from '../cinder/support.js';
import { http } from '../support/http.js';

/** Pod registration checks the region name and warns when Keystone has no endpoints for it. */
test('POST /v1.0/pods: region names are printable and at most 255 long; an unknown region is a warning', async (t) => {
  const env = await startCinderEnv();
  t.after(() => env.close());
  const admin = env.tc.urls['admin-api']!;
  const post = (pod: Record<string, unknown>) => http('POST', `${admin}/v1.0/pods`, { token: env.admin.token, body: { pod } });
  for (const bad of ['a\u0000b', 'x'.repeat(256), '\ud800', 'tab\there']) {
    const res = await post({ region_name: bad, az_name: 'az9' });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.match(res.body.badRequest.message, /region_name/);
  }
  assert.equal((await http('GET', `${admin}/v1.0/pods`, { token: env.admin.token })).body.pods.length, 3, 'nothing written');

  const ghost = await post({ region_name: 'NoSuchRegion', az_name: 'az9' });
  assert.equal(ghost.status, 200, ghost.text);
  assert.match(ghost.body.warnings[0], /no public endpoints in region NoSuchRegion/);
  // A region that exists: no warning.
  await env.cluster.setFaults('Pod1', {});
  const ok = await post({ region_name: 'Pod1', az_name: 'az1' });
  assert.ok(ok.status === 409 || (ok.status === 200 && ok.body.warnings === undefined), ok.text);
});
