// What npm run tempest prints, and the tables of docs/conformance.md.
import { byArea, type RunSummary } from './subunit.js';

export function report(summary: RunSummary): string {
  const out: string[] = [];
  out.push('', 'area                                   run  passed  skipped  failed');
  for (const r of byArea(summary.tests))
    out.push(`${r.area.padEnd(36)} ${String(r.run).padStart(5)} ${String(r.passed).padStart(7)} ${String(r.skipped).padStart(8)} ${String(r.failed).padStart(7)}`);
  out.push(
    `${'total'.padEnd(36)} ${String(summary.run).padStart(5)} ${String(summary.passed).padStart(7)} ${String(summary.skipped).padStart(8)} ${String(summary.failed).padStart(7)}`,
  );
  const failed = summary.tests.filter((t) => t.outcome === 'failed');
  if (failed.length > 0) {
    out.push('', `failed (${failed.length}):`);
    for (const t of failed) {
      out.push(`  ${t.id}`);
      // The exception at the end of the traceback says most of why.
      for (const line of t.detail
        .split('\n')
        .filter((l) => l.trim())
        .slice(-2))
        out.push(`      ${line.trim().slice(0, 300)}`);
    }
  }
  out.push('', `tempest: run ${summary.run}, passed ${summary.passed}, skipped ${summary.skipped}, failed ${summary.failed}`);
  return out.join('\n');
}

/** The results as the Markdown tables of docs/conformance.md: per area, then the skip reasons tempest gave. */
export function markdown(summary: RunSummary): string {
  const out = ['| area | run | passed | skipped | failed |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of byArea(summary.tests)) out.push(`| \`${r.area}\` | ${r.run} | ${r.passed} | ${r.skipped} | ${r.failed} |`);
  out.push(`| **total** | **${summary.run}** | **${summary.passed}** | **${summary.skipped}** | **${summary.failed}** |`, '');
  const reasons = new Map<string, number>();
  for (const t of summary.tests.filter((x) => x.outcome === 'skipped')) {
    const reason = (t.detail.split('\n')[0] ?? '').replace(/\|/g, '\\|').trim() || '(no reason given)';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  out.push('| skipped by tempest because | tests |', '| --- | ---: |');
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) out.push(`| ${reason} | ${n} |`);
  return `${out.join('\n')}\n`;
}
