// Reads the subunit v2 stream stestr records for a tempest run, and sums it up per test.
// Packet layout (python-subunit's v2 protocol): 0xB3, 16-bit flags, a varint packet length (the whole packet),
// then the fields the flags announce, in this order: timestamp, test id, tags, MIME type, file content, route code;
// a CRC-32 of everything before it ends the packet.
import { crc32 } from 'node:zlib';

const SIGNATURE = 0xb3;
const FLAG_TEST_ID = 0x0800;
const FLAG_ROUTE_CODE = 0x0400;
const FLAG_TIMESTAMP = 0x0200;
const FLAG_TAGS = 0x0080;
const FLAG_FILE_CONTENT = 0x0040;
const FLAG_MIME_TYPE = 0x0020;
const VERSION_MASK = 0xf000;
const VERSION_2 = 0x2000;

const STATUSES = ['', 'exists', 'inprogress', 'success', 'uxsuccess', 'skip', 'fail', 'xfail'] as const;
export type SubunitStatus = (typeof STATUSES)[number];

export interface SubunitPacket {
  testId?: string;
  status: SubunitStatus;
  timestamp?: Date;
  tags?: string[];
  fileName?: string;
  fileContent?: Buffer;
}

export class SubunitParseError extends Error {}

/** Every packet of a subunit v2 stream; throws SubunitParseError on a torn packet or a bad checksum. */
export function parseSubunit(data: Buffer): SubunitPacket[] {
  const packets: SubunitPacket[] = [];
  let at = 0;
  while (at < data.length) {
    if (data[at] !== SIGNATURE) throw new SubunitParseError(`no subunit v2 signature at byte ${at}`);
    const flags = data.readUInt16BE(at + 1);
    if ((flags & VERSION_MASK) !== VERSION_2) throw new SubunitParseError(`packet at byte ${at} is not subunit version 2`);
    const [length] = readVarint(data, at + 3);
    const end = at + length;
    if (length < 8 || end > data.length) throw new SubunitParseError(`packet at byte ${at} claims ${length} bytes, ${data.length - at} left`);
    const stored = data.readUInt32BE(end - 4);
    if (crc32(data.subarray(at, end - 4)) !== stored) throw new SubunitParseError(`bad checksum in packet at byte ${at}`);
    let pos = at + 3 + readVarint(data, at + 3)[1];
    const packet: SubunitPacket = { status: STATUSES[flags & 0x7] };
    if (flags & FLAG_TIMESTAMP) {
      const seconds = data.readUInt32BE(pos);
      const [nanos, used] = readVarint(data, pos + 4);
      packet.timestamp = new Date(seconds * 1000 + Math.floor(nanos / 1e6));
      pos += 4 + used;
    }
    if (flags & FLAG_TEST_ID) [packet.testId, pos] = readString(data, pos);
    if (flags & FLAG_TAGS) {
      const [count, used] = readVarint(data, pos);
      pos += used;
      packet.tags = [];
      for (let i = 0; i < count; i++) {
        let tag: string;
        [tag, pos] = readString(data, pos);
        packet.tags.push(tag);
      }
    }
    if (flags & FLAG_MIME_TYPE) pos = readString(data, pos)[1];
    if (flags & FLAG_FILE_CONTENT) {
      [packet.fileName, pos] = readString(data, pos);
      const [size, used] = readVarint(data, pos);
      pos += used;
      if (pos + size > end - 4) throw new SubunitParseError(`file content of packet at byte ${at} runs past its end`);
      packet.fileContent = data.subarray(pos, pos + size);
      pos += size;
    }
    if (flags & FLAG_ROUTE_CODE) pos = readString(data, pos)[1];
    packets.push(packet);
    at = end;
  }
  return packets;
}

/** A subunit varint: the top two bits of the first byte say how many bytes follow (0–3), big-endian. */
function readVarint(data: Buffer, pos: number): [value: number, used: number] {
  const first = data[pos];
  if (first === undefined) throw new SubunitParseError(`varint past the end at byte ${pos}`);
  const extra = first >> 6;
  let value = first & 0x3f;
  for (let i = 1; i <= extra; i++) {
    const b = data[pos + i];
    if (b === undefined) throw new SubunitParseError(`varint past the end at byte ${pos}`);
    value = value * 256 + b;
  }
  return [value, extra + 1];
}

function readString(data: Buffer, pos: number): [string, number] {
  const [length, used] = readVarint(data, pos);
  const start = pos + used;
  if (start + length > data.length) throw new SubunitParseError(`string past the end at byte ${pos}`);
  return [data.toString('utf8', start, start + length), start + length];
}

export type Outcome = 'passed' | 'skipped' | 'failed';

export interface TestResult {
  /** The test id without tempest's `[id-…,smoke]` attribute suffix. */
  id: string;
  outcome: Outcome;
  /** The skip reason, or the traceback of a failure. */
  detail: string;
}

export interface RunSummary {
  run: number;
  passed: number;
  skipped: number;
  failed: number;
  tests: TestResult[];
}

const OUTCOMES: Partial<Record<SubunitStatus, Outcome>> = { success: 'passed', xfail: 'passed', skip: 'skipped', fail: 'failed', uxsuccess: 'failed' };

/**
 * One result per test, from its final status packet. Attachments (a skip's `reason`, a failure's `traceback`)
 * arrive in packets of their own, before or with the status. A class whose setUpClass failed or skipped shows up
 * as one test named `setUpClass (tempest.api…Class)`, and counts as one.
 */
export function summarize(packets: SubunitPacket[]): RunSummary {
  const outcomes = new Map<string, Outcome>();
  const details = new Map<string, Map<string, string>>();
  for (const p of packets) {
    if (!p.testId) continue;
    if (p.fileName && p.fileContent && p.fileContent.length > 0) {
      const files = details.get(p.testId) ?? new Map<string, string>();
      files.set(p.fileName, (files.get(p.fileName) ?? '') + p.fileContent.toString('utf8'));
      details.set(p.testId, files);
    }
    const outcome = OUTCOMES[p.status];
    if (outcome) outcomes.set(p.testId, outcome);
  }
  const tests: TestResult[] = [...outcomes].map(([rawId, outcome]) => {
    const files = details.get(rawId);
    const detail = (outcome === 'skipped' ? files?.get('reason') : (files?.get('traceback') ?? files?.get('reason'))) ?? '';
    return { id: stripAttributes(rawId), outcome, detail: detail.trim() };
  });
  tests.sort((a, b) => a.id.localeCompare(b.id));
  const count = (o: Outcome) => tests.filter((t) => t.outcome === o).length;
  return { run: tests.length, passed: count('passed'), skipped: count('skipped'), failed: count('failed'), tests };
}

/** `tempest.api.x.Test.test_y[id-…,smoke]` → `tempest.api.x.Test.test_y`. */
export function stripAttributes(id: string): string {
  return id.replace(/\[[^\]]*\]$/, '');
}

/** The area a test belongs to, for the results table: `tempest.api.compute.servers.test_x.C.t` → `compute.servers`. */
export function areaOf(id: string): string {
  const setUp = /^\w+ \(([^)]+)\)$/.exec(id);
  const parts = (setUp ? setUp[1] : id).split('.');
  if (parts[0] !== 'tempest' || parts[1] !== 'api') return parts.slice(0, 2).join('.');
  const [service, group] = [parts[2], parts[3]];
  // Modules directly under tempest/api/<service>/ (test_*.py) form the service's own area.
  return group === undefined || group.startsWith('test_') ? service : `${service}.${group}`;
}

export interface AreaRow {
  area: string;
  run: number;
  passed: number;
  skipped: number;
  failed: number;
}

export function byArea(tests: TestResult[]): AreaRow[] {
  const rows = new Map<string, AreaRow>();
  for (const t of tests) {
    const area = areaOf(t.id);
    const row = rows.get(area) ?? { area, run: 0, passed: 0, skipped: 0, failed: 0 };
    row.run++;
    row[t.outcome]++;
    rows.set(area, row);
  }
  return [...rows.values()].sort((a, b) => a.area.localeCompare(b.area));
}
