/**
 * If-Match (revision-if-match) on the core resources: a PUT or DELETE naming another revision_number
 * is a 412 RevisionNumberConstraintFailed and changes nothing; naming the current one goes through.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../support/databases.js';
import { http } from '../support/http.js';
import { ALICE, neutronError, startNeutron, type NeutronHarness } from './support.js';

describeEachDatabase('top Neutron: If-Match on revision_number', (dialect) => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron(dialect);
  });
  after(() => h?.close());

  const withIfMatch = (method: string, path: string, revision: number | string, body?: unknown) =>
    http(method, `${h.base}${path}`, { body, headers: { ...ALICE, 'if-match': typeof revision === 'number' ? `revision_number=${revision}` : revision } });

  for (const [collection, resource, body] of [
    ['networks', 'network', { name: 'n' }],
    ['security-groups', 'security_group', { name: 'g' }],
    ['subnetpools', 'subnetpool', { name: 'p', prefixes: ['10.77.0.0/16'] }],
    ['routers', 'router', { name: 'r' }],
  ] as const) {
    test(`${collection}: a stale revision is refused on PUT and DELETE, the current one goes through`, async () => {
      const made = await h.call('POST', `/v2.0/${collection}`, { [resource]: body }, ALICE);
      assert.equal(made.status, 201, made.text);
      const { id, revision_number: rev } = made.body[resource];
      const stale = neutronError(await withIfMatch('PUT', `/v2.0/${collection}/${id}`, rev + 5, { [resource]: { name: 'x' } }), 412, 'RevisionNumberConstraintFailed');
      assert.match(stale.message, new RegExp(`current revision is ${rev}`));
      assert.equal((await h.call('GET', `/v2.0/${collection}/${id}`, undefined, ALICE)).body[resource].name, body.name, 'the refused update changed nothing');
      neutronError(await withIfMatch('PUT', `/v2.0/${collection}/${id}`, 'etag-of-something', { [resource]: { name: 'x' } }), 400);
      const fresh = await withIfMatch('PUT', `/v2.0/${collection}/${id}`, rev, { [resource]: { name: 'y' } });
      assert.equal(fresh.status, 200, fresh.text);
      const now = fresh.body[resource].revision_number;
      assert.ok(now > rev);
      neutronError(await withIfMatch('DELETE', `/v2.0/${collection}/${id}`, rev), 412, 'RevisionNumberConstraintFailed');
      assert.equal((await withIfMatch('DELETE', `/v2.0/${collection}/${id}`, now)).status, 204);
    });
  }

  test('the extension is listed', async () => {
    assert.equal((await h.call('GET', '/v2.0/extensions/revision-if-match')).status, 200);
  });
});
