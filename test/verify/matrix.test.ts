// The connectivity report's matrix and the command's refusals (no root needed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOf, connectivityMatrix, type ConnectivityReport } from '../../src/verify/index.js';
import { runCli } from '../support/cli.js';

const ok = { ok: true, detail: 'fine' };
const report: ConnectivityReport = {
  projectId: 'p',
  hosts: [
    { key: 'vm:a', label: 'vm1', netns: 'ns-a', region: 'Pod1', address: '10.0.1.5' },
    { key: 'vm:b', label: 'vm2', netns: 'ns-b', region: 'Pod2', address: '10.0.2.5' },
    { key: 'outside', label: 'outside', netns: 'ns-o', address: '203.0.113.1' },
  ],
  targets: [
    { key: 'vm:a', label: 'vm1 10.0.1.5', address: '10.0.1.5', answeredBy: 'ns-a', kind: 'vm' },
    { key: 'vm:b', label: 'vm2 10.0.2.5', address: '10.0.2.5', answeredBy: 'ns-b', kind: 'vm' },
    { key: 'outside', label: 'outside 203.0.113.1', address: '203.0.113.1', answeredBy: 'ns-o', kind: 'outside' },
    { key: 'fip:10.50.11.40', label: '10.50.11.40 → vm1', address: '10.50.11.40', answeredBy: 'ns-a', kind: 'floating-ip', path: 'two hops' },
  ],
  checks: [
    { kind: 'east-west', from: 'vm:a', to: 'vm:b', address: '10.0.2.5', icmp: ok, tcp: { ...ok, banner: 'tricircle-probe ns-b' }, ok: true },
    { kind: 'east-west', from: 'vm:b', to: 'vm:a', address: '10.0.1.5', icmp: { ok: false, detail: '0/1 replies' }, tcp: { ok: false, detail: 'timed out' }, ok: false },
    { kind: 'north-south', from: 'vm:a', to: 'outside', address: '203.0.113.1', icmp: ok, tcp: { ...ok, banner: 'tricircle-probe ns-o' }, ok: true },
    {
      kind: 'floating-ip',
      from: 'outside',
      to: 'fip:10.50.11.40',
      address: '10.50.11.40',
      icmp: ok,
      tcp: { ok: true, detail: 'answered by ns-b', banner: 'tricircle-probe ns-b' },
      ok: false,
    },
  ],
  ok: false,
  skipped: [],
};

describe('verify connectivity', () => {
  test('the matrix: a row per host, a column per address, what failed in each cell', () => {
    const { columns, rows } = connectivityMatrix(report);
    assert.deepEqual(columns, ['from \\ to', 'vm1 10.0.1.5', 'vm2 10.0.2.5', 'outside 203.0.113.1', '10.50.11.40 → vm1 (two hops)']);
    assert.deepEqual(rows, [
      { 'from \\ to': 'vm1 (Pod1)', 'vm1 10.0.1.5': '-', 'vm2 10.0.2.5': 'ok', 'outside 203.0.113.1': 'ok', '10.50.11.40 → vm1 (two hops)': '' },
      { 'from \\ to': 'vm2 (Pod2)', 'vm1 10.0.1.5': 'no ping, no tcp', 'vm2 10.0.2.5': '-', 'outside 203.0.113.1': '', '10.50.11.40 → vm1 (two hops)': '' },
      { 'from \\ to': 'outside', 'vm1 10.0.1.5': '', 'vm2 10.0.2.5': '', 'outside 203.0.113.1': '-', '10.50.11.40 → vm1 (two hops)': 'tcp answered by ns-b' },
    ]);
    assert.equal(checkOf(report, 'vm:b', 'vm:a')?.ok, false);
    assert.equal(checkOf(report, 'outside', 'vm:a'), undefined);
  });

  test('the command needs credentials', async () => {
    const res = await runCli(['verify', 'connectivity']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /OS_AUTH_URL/);
  });
});
