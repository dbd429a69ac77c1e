/**
 * How much of core Neutron's API the top Neutron serves: every route of upstream's route list
 * (../shared/openstack-api/neutron/ROUTES.tsv), stadium projects left out (VPNaaS, FWaaS, BGP, BGPVPN,
 * SFC, TaaS, tap mirrors), looked up in the top Neutron's own route table. Prints the figure and the
 * routes not served (docs/network-api.md says why each is not).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openstackApiDir } from '../support/paths.js';
import { startNeutron, type NeutronHarness } from './support.js';

const STADIUM = /^(vpnaas|fwaas|bgp|sfc|taas|tap_mirror)/;
const TARGET = 0.8;
/** What this tree reached when the figure was last measured (docs/network-api.md); a drop is a regression. */
const FLOOR = 0.98;

interface UpstreamRoute {
  group: string;
  method: string;
  path: string;
}

function upstreamRoutes(): UpstreamRoute[] {
  const text = readFileSync(join(openstackApiDir, 'neutron', 'ROUTES.tsv'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [group, route] = line.split('\t');
      const [method, path] = route.trim().split(/\s+/);
      return { group, method, path };
    })
    .filter((r) => !STADIUM.test(r.group));
}

/** Upstream's `{param}` as a route pattern; the trailing slash is ignored by the service's router. */
const pattern = (path: string) => path.replace(/\{[^}]+\}/g, (m) => `:${m.slice(1, -1)}`).replace(/(.)\/$/, '$1');

describe('top Neutron: coverage of core Neutron routes', () => {
  let h: NeutronHarness;
  before(async () => {
    h = await startNeutron('sqlite');
  });
  after(async () => h?.close());

  test('the served fraction is measured from the route table', (t) => {
    const app = h.tc.apps['neutron-api'];
    const routes = upstreamRoutes();
    assert.ok(routes.length > 200, 'the upstream route list is there');
    const missing = routes.filter((r) => !app.hasRoute({ method: r.method as 'GET', url: pattern(r.path) }));
    const served = routes.length - missing.length;
    const figure = served / routes.length;
    t.diagnostic(`top Neutron serves ${served} of ${routes.length} core Neutron routes (${(figure * 100).toFixed(1)} %)`);
    for (const r of missing) t.diagnostic(`not served: ${r.group} ${r.method} ${r.path}`);
    assert.ok(figure >= FLOOR, `served ${served}/${routes.length}, below the measured floor ${FLOOR}`);
  });

  test(`at least ${TARGET * 100} % of core Neutron routes are served`, () => {
    const app = h.tc.apps['neutron-api'];
    const routes = upstreamRoutes();
    const served = routes.filter((r) => app.hasRoute({ method: r.method as 'GET', url: pattern(r.path) })).length;
    const figure = served / routes.length;
    assert.ok(figure >= TARGET, `served ${served}/${routes.length} = ${(figure * 100).toFixed(1)} %`);
  });
});
