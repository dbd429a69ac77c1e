import Table from 'cli-table3';

/** openstackclient draws its tables in plain ASCII. */
const ASCII = {
  top: '-',
  'top-mid': '+',
  'top-left': '+',
  'top-right': '+',
  bottom: '-',
  'bottom-mid': '+',
  'bottom-left': '+',
  'bottom-right': '+',
  left: '|',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '|',
  'right-mid': '',
  middle: '|',
};

export type OutputFormat = 'table' | 'json' | 'value';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Prints rows the way openstackclient does: a boxed table, JSON, or bare values. */
export function printList(rows: Record<string, unknown>[], columns: string[], format: OutputFormat): void {
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))),
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (format === 'value') {
    for (const r of rows) process.stdout.write(`${columns.map((c) => cell(r[c])).join(' ')}\n`);
    return;
  }
  const table = new Table({ head: columns, chars: ASCII, style: { head: [], border: [] } });
  for (const r of rows) table.push(columns.map((c) => cell(r[c])));
  process.stdout.write(`${table.toString()}\n`);
}

export function printObject(obj: Record<string, unknown>, format: OutputFormat): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
    return;
  }
  if (format === 'value') {
    for (const v of Object.values(obj)) process.stdout.write(`${cell(v)}\n`);
    return;
  }
  const table = new Table({ head: ['Field', 'Value'], chars: ASCII, style: { head: [], border: [] } });
  for (const [k, v] of Object.entries(obj)) table.push([k, cell(v)]);
  process.stdout.write(`${table.toString()}\n`);
}
