import { request } from 'undici';
import type { ServiceType } from '../identity/index.js';
import { fail, messageOf, pass, type CheckResult } from './report.js';

/** The pod services Tricircle calls, with the name a check shows. */
export const POD_SERVICES: { type: ServiceType; label: string }[] = [
  { type: 'compute', label: 'compute API' },
  { type: 'volumev3', label: 'volume API' },
  { type: 'network', label: 'network API' },
  { type: 'image', label: 'image API' },
];

/** Lowest compute microversion a pod must offer: the Nova gateway copies key pairs with their type (2.2). */
const COMPUTE_MIN_MAX_VERSION = '2.2';

interface VersionEntry {
  id: string;
  status: string;
  min: string;
  max: string;
}

/** Where a service's version document is, from its catalog URL (without project). */
export function versionDocumentUrl(type: ServiceType, endpoint: string): string {
  const url = endpoint.replace(/\/+$/, '');
  switch (type) {
    case 'network':
      return `${url.replace(/\/v2\.0$/, '')}/`;
    case 'image':
      return `${url.replace(/\/v2(\.\d+)?$/, '')}/versions`;
    default:
      return `${url}/`;
  }
}

/**
 * Checks that the endpoint answers its version document and offers the API version Tricircle
 * speaks (compute v2.1 with microversions, volume v3, network v2.0, image v2).
 */
export async function checkApi(type: ServiceType, label: string, endpoint: string, timeoutMs: number): Promise<CheckResult> {
  const url = versionDocumentUrl(type, endpoint);
  let versions: VersionEntry[];
  try {
    const res = await request(url, {
      reset: true,
      headers: { accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) return fail(label, `${url} answered HTTP ${res.statusCode}`);
    versions = parseVersions(text);
  } catch (err) {
    return fail(label, `${url} does not answer: ${transportReason(err)}`);
  }
  if (versions.length === 0) return fail(label, `${url} answered without a version document`);
  const usable = (e: VersionEntry) => e.status === 'CURRENT' || e.status === 'SUPPORTED' || e.status === 'STABLE';
  switch (type) {
    case 'compute': {
      const v = versions.find((e) => e.id === 'v2.1');
      if (!v) return fail(label, `${endpoint} offers ${ids(versions)}, not v2.1`);
      const min = v.min || '2.1';
      const max = v.max || '2.1';
      if (compareMicroversions(max, COMPUTE_MIN_MAX_VERSION) < 0) {
        return fail(label, `${endpoint} offers microversions ${min}–${max}; Tricircle needs at least ${COMPUTE_MIN_MAX_VERSION}`);
      }
      return pass(label, `${endpoint}: v2.1, microversions ${min}–${max}`);
    }
    case 'volumev3': {
      const v = versions.find((e) => e.id.startsWith('v3') && usable(e));
      if (!v) return fail(label, `${endpoint} offers ${ids(versions)}, not v3`);
      return pass(label, `${endpoint}: v3, microversions ${v.min || '3.0'}–${v.max || '3.0'}`);
    }
    case 'network': {
      const v = versions.find((e) => e.id === 'v2.0');
      if (!v) return fail(label, `${endpoint} offers ${ids(versions)}, not v2.0`);
      return pass(label, `${endpoint}: v2.0`);
    }
    default: {
      const v2 = versions.filter((e) => /^v2(\.\d+)?$/.test(e.id) && usable(e)).sort((a, b) => compareMicroversions(b.id.slice(1), a.id.slice(1)));
      if (v2.length === 0) return fail(label, `${endpoint} offers ${ids(versions)}, not v2`);
      return pass(label, `${endpoint}: ${v2[0].id}`);
    }
  }
}

function parseVersions(text: string): VersionEntry[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const doc = body as { version?: unknown; versions?: unknown };
  const raw = Array.isArray(doc.versions) ? doc.versions : doc.version && typeof doc.version === 'object' ? [doc.version] : [];
  return raw
    .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string')
    .map((v) => ({
      id: v.id as string,
      status: typeof v.status === 'string' ? v.status.toUpperCase() : '',
      min: typeof v.min_version === 'string' ? v.min_version : '',
      max: typeof v.version === 'string' ? v.version : '',
    }));
}

const ids = (versions: VersionEntry[]) => versions.map((v) => v.id).join(', ');

/** Compares `2.10` and `2.9` as version numbers. */
export function compareMicroversions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function transportReason(err: unknown): string {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if ((e as { name?: unknown }).name === 'TimeoutError') return 'no answer in time';
  }
  return messageOf(err);
}
