import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { openstackApiDir } from './paths.js';

export type Service = 'nova' | 'neutron' | 'cinder' | 'keystone';

export function loadSample(service: Service, file: string): unknown {
  return JSON.parse(readFileSync(join(openstackApiDir, service, 'samples', file), 'utf8'));
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Asserts that `actual` has every key of the upstream `sample` (recursively, first element of arrays),
 * with the same JSON type. A null on either side matches any type (upstream fields are often nullable).
 * Keys listed in `optional` (dotted paths, `[]` for array items) may be missing.
 */
export function assertShape(actual: unknown, sample: unknown, optional: string[] = [], path = ''): void {
  if (sample === null || actual === null) return;
  assert.equal(kind(actual), kind(sample), `type of ${path || '<root>'}`);
  if (Array.isArray(sample)) {
    const items = actual as unknown[];
    if (sample.length > 0 && items.length > 0) assertShape(items[0], sample[0], optional, `${path}[]`);
    return;
  }
  if (typeof sample === 'object') {
    const a = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(sample as Record<string, unknown>)) {
      const p = path ? `${path}.${key}` : key;
      if (!(key in a)) {
        if (optional.includes(p)) continue;
        assert.fail(`missing key ${p}`);
      }
      assertShape(a[key], value, optional, p);
    }
  }
}

/** assertShape against a sample file of ../shared/openstack-api/<service>/samples. */
export function assertSampleShape(actual: unknown, service: Service, file: string, optional: string[] = []): void {
  assertShape(actual, loadSample(service, file), optional);
}
