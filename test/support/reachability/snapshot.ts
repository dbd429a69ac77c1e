// Reads a reachability snapshot from the pods' Neutron APIs (admin token), following pagination links.
import { request } from 'undici';
import type { FloatingIpView, NetworkView, PodSnapshot, PortView, RouterView, Snapshot, SubnetView } from './types.js';

export interface PodEndpoint {
  region: string;
  /** The Neutron endpoint root (http://host:port, with or without /v2.0). */
  neutronUrl: string;
}

export interface SnapshotOptions {
  /** Ask for pages of this size (and follow the `next` links); default: no limit. */
  pageSize?: number;
  /** Give up on a pod after this many pages per collection (default 1000). */
  maxPages?: number;
}

async function getJson(url: string, token: string, region: string): Promise<Record<string, unknown>> {
  const res = await request(url, { method: 'GET', headers: { accept: 'application/json', 'x-auth-token': token } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${region}: GET ${url} answered ${res.statusCode}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${region}: GET ${url} answered a body that is not JSON: ${text.slice(0, 300)}`);
  }
}

/** Lists a whole collection, following `<collection>_links` rel=next. */
export async function listAll<T>(pod: PodEndpoint, token: string, collection: string, opts: SnapshotOptions = {}): Promise<T[]> {
  const root = pod.neutronUrl.replace(/\/+$/, '').replace(/\/v2\.0$/, '');
  let url: string | undefined = `${root}/v2.0/${collection}${opts.pageSize ? `?limit=${opts.pageSize}` : ''}`;
  const out: T[] = [];
  const visited = new Set<string>();
  const maxPages = opts.maxPages ?? 1000;
  while (url) {
    if (visited.has(url)) throw new Error(`${pod.region}: pagination of ${collection} loops at ${url}`);
    if (visited.size >= maxPages) throw new Error(`${pod.region}: more than ${maxPages} pages of ${collection}`);
    visited.add(url);
    const body = await getJson(url, token, pod.region);
    const items = body[collection];
    if (!Array.isArray(items)) throw new Error(`${pod.region}: GET ${url} has no "${collection}" list`);
    out.push(...(items as T[]));
    const links = body[`${collection}_links`];
    const next = Array.isArray(links) ? (links as { rel?: string; href?: string }[]).find((l) => l.rel === 'next')?.href : undefined;
    url = items.length && next ? next : undefined;
  }
  return out;
}

/** One pod's networks, subnets, ports, routers and floating IPs, each sorted by id. */
export async function snapshotPod(pod: PodEndpoint, token: string, opts: SnapshotOptions = {}): Promise<PodSnapshot> {
  const [networks, subnets, ports, routers, floatingips] = await Promise.all([
    listAll<NetworkView>(pod, token, 'networks', opts),
    listAll<SubnetView>(pod, token, 'subnets', opts),
    listAll<PortView>(pod, token, 'ports', opts),
    listAll<RouterView>(pod, token, 'routers', opts),
    listAll<FloatingIpView>(pod, token, 'floatingips', opts),
  ]);
  const byId = <T extends { id?: string }>(list: T[]) => list.sort((x, y) => ((x.id ?? '') < (y.id ?? '') ? -1 : (x.id ?? '') > (y.id ?? '') ? 1 : 0));
  return { region: pod.region, networks: byId(networks), subnets: byId(subnets), ports: byId(ports), routers: byId(routers), floatingips: byId(floatingips) };
}

/** Reads every pod's Neutron (use an admin token: provider attributes and all projects' resources). */
export async function snapshotPods(pods: PodEndpoint[], token: string, opts: SnapshotOptions = {}): Promise<Snapshot> {
  return { pods: await Promise.all(pods.map((p) => snapshotPod(p, token, opts))) };
}
