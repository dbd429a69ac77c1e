// What npm run tempest prints, and the tables of docs/conformance.md.
import type { ListEntry } from './lists.js';
import { byArea, type RunSummary } from './subunit.js';

/** How a run was made, for the line above the tables. */
export interface RunFacts {
  /** When it ran (ISO date and time). */
  at: string;
  /** Seconds tempest itself ran. */
  tempestSeconds: number;
  concurrency: string;
  /** The selection: the include list or the regex given. */
  selection: string;
}

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

const cell = (s: string) => s.replace(/\|/g, '\\|').trim();

/**
 * The results as the Markdown of docs/conformance.md's results section: how the run was made (when
 * given), the table per area, the skip reasons tempest gave, and (when given) every exclusion with its
 * reason, so that the section is replaced by this output as a whole after a run.
 */
export function markdown(summary: RunSummary, facts?: RunFacts, exclusions?: ListEntry[]): string {
  const out: string[] = [];
  if (facts) {
    out.push(
      `Run ${facts.at}: \`${facts.selection}\`, concurrency ${facts.concurrency}; tempest ran ${facts.tempestSeconds} s. ` +
        `Run ${summary.run}, passed ${summary.passed}, skipped ${summary.skipped}, failed ${summary.failed}.`,
      '',
    );
  }
  out.push('| area | run | passed | skipped | failed |', '| --- | ---: | ---: | ---: | ---: |');
  for (const r of byArea(summary.tests)) out.push(`| \`${r.area}\` | ${r.run} | ${r.passed} | ${r.skipped} | ${r.failed} |`);
  out.push(`| **total** | **${summary.run}** | **${summary.passed}** | **${summary.skipped}** | **${summary.failed}** |`, '');
  const reasons = new Map<string, number>();
  for (const t of summary.tests.filter((x) => x.outcome === 'skipped')) {
    const reason = cell(t.detail.split('\n')[0] ?? '') || '(no reason given)';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  out.push('| skipped by tempest because | tests |', '| --- | ---: |');
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) out.push(`| ${reason} | ${n} |`);
  if (exclusions) {
    out.push('', '| excluded (tools/tempest/exclude.txt) | why |', '| --- | --- |');
    for (const e of exclusions) out.push(`| \`${cell(e.regex)}\` | ${cell(e.reason)} |`);
  }
  return `${out.join('\n')}\n`;
}
