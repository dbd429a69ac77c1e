import { isJsonObject, ExpiringLru } from '../../common/index.js';
import type { Db } from '../../db/index.js';

type Json = Record<string, unknown>;

const NAME_CACHE_MS = 5000;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const NEEDLE = Buffer.from('"addresses"');
const GROUPS_NEEDLE = Buffer.from('"security_groups"');
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * The labels of a server's `addresses`, and the names of its `security_groups`: a pod names its
 * copies of top networks and security groups after their top ids (never their names, which may
 * change), so a pod's labels are top ids; clients see the top names, as Nova shows them.
 */
export class AddressLabels {
  /** Names read in the last few seconds (a rename shows after at most NAME_CACHE_MS). */
  private readonly cache = new ExpiringLru<string | null>(10_000);

  constructor(private readonly db: Db) {}

  /** Top network names by id, for the ids that are top networks. */
  names(ids: Iterable<string>): Promise<Map<string, string>> {
    return this.lookup('networks', ids);
  }

  /** Top security group names by id, for the ids that are top groups. */
  groupNames(ids: Iterable<string>): Promise<Map<string, string>> {
    return this.lookup('security_groups', ids);
  }

  private async lookup(table: 'networks' | 'security_groups', ids: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      if (!UUID.test(id)) continue;
      const hit = this.cache.get(`${table}:${id}`);
      if (hit === undefined) missing.push(id);
      else if (hit !== null) out.set(id, hit);
    }
    if (missing.length === 0) return out;
    let rows: { id: string; name: string }[] = [];
    try {
      rows = await this.db.kysely.selectFrom(table).select(['id', 'name']).where('id', 'in', missing).execute();
    } catch {
      return out;
    }
    const found = new Map(rows.map((r) => [r.id, r.name]));
    const expires = Date.now() + NAME_CACHE_MS;
    for (const id of missing) {
      const name = found.get(id);
      this.cache.set(`${table}:${id}`, name ?? null, expires);
      if (name !== undefined) out.set(id, name);
    }
    return out;
  }

  /** Renames `[{name}]` security group entries (a server's) from top ids to top names, in place. */
  async renameGroups(lists: { name?: unknown }[][]): Promise<void> {
    const names = await this.groupNames(lists.flatMap((l) => l.map((g) => String(g.name ?? ''))));
    if (names.size === 0) return;
    for (const l of lists) for (const g of l) if (typeof g.name === 'string' && names.has(g.name)) g.name = names.get(g.name);
  }

  /** The top network id(s) a label names, as the caller may see them (by name, or the id itself). */
  async idsForLabel(label: string, projectId: string): Promise<string[]> {
    try {
      const rows = await this.db.kysely
        .selectFrom('networks')
        .select('id')
        .where((eb) => eb.or([eb('name', '=', label), eb('id', '=', label)]))
        .where((eb) => eb.or([eb('project_id', '=', projectId), eb('shared', '=', 1)]))
        .execute();
      return rows.map((r) => r.id);
    } catch {
      return [];
    }
  }

  /**
   * Shows the top floating IPs in `addresses` objects keyed by top network ids, in place. A floating
   * IP whose external network is in another pod reaches the server in two hops: the pod then holds a
   * floating IP on the north-south bridge, which it shows; the client must see the top one. A
   * floating entry is matched to its fixed address on the same network by MAC address.
   */
  async topFloatingIps(objects: Json[]): Promise<void> {
    const wanted: { entry: Json; network: string; fixed: string }[] = [];
    for (const o of objects) {
      for (const [network, list] of Object.entries(o)) {
        if (!UUID.test(network) || !Array.isArray(list)) continue;
        const entries = list.filter(isJsonObject);
        for (const entry of entries) {
          if (entry['OS-EXT-IPS:type'] !== 'floating') continue;
          const mac = entry['OS-EXT-IPS-MAC:mac_addr'];
          const fixed = entries.find((e) => e['OS-EXT-IPS:type'] === 'fixed' && e['OS-EXT-IPS-MAC:mac_addr'] === mac && e.version === entry.version);
          if (typeof fixed?.addr === 'string') wanted.push({ entry, network, fixed: fixed.addr });
        }
      }
    }
    if (wanted.length === 0) return;
    let rows: { network_id: string; fixed_ip_address: string | null; floating_ip_address: string }[] = [];
    try {
      rows = await this.db.kysely
        .selectFrom('floatingips')
        .innerJoin('ports', 'ports.id', 'floatingips.fixed_port_id')
        .select(['ports.network_id', 'floatingips.fixed_ip_address', 'floatingips.floating_ip_address'])
        .where('ports.network_id', 'in', [...new Set(wanted.map((w) => w.network))])
        .where('floatingips.fixed_ip_address', 'in', [...new Set(wanted.map((w) => w.fixed))])
        .execute();
    } catch {
      return;
    }
    for (const w of wanted) {
      const top = rows.find((r) => r.network_id === w.network && r.fixed_ip_address === w.fixed);
      if (top) w.entry.addr = top.floating_ip_address;
    }
  }

  /** Renames the keys of `addresses` objects (a server, or an `ips` answer) in place. */
  async relabel(objects: Json[]): Promise<void> {
    await this.topFloatingIps(objects);
    const keys = objects.flatMap((o) => Object.keys(o));
    const names = await this.names(keys);
    if (names.size === 0) return;
    for (const o of objects) {
      const entries = Object.entries(o);
      for (const [k] of entries) delete o[k];
      for (const [k, v] of entries) {
        const label = names.get(k) ?? k;
        // Two networks with one name: keep both lists under the name (Nova does the same).
        o[label] = label in o && Array.isArray(o[label]) && Array.isArray(v) ? [...(o[label] as unknown[]), ...v] : v;
      }
    }
  }

  /**
   * A pass-through body with its `addresses` relabelled; the same buffer, unparsed, when every
   * `addresses` in it is empty (servers without networks cost nothing).
   */
  async relabelBody(body: Buffer): Promise<Buffer> {
    if (!hasNonEmptyAddresses(body) && !hasGroupNamedById(body)) return body;
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      return body;
    }
    const found: Json[] = [];
    const groups: { name?: unknown }[][] = [];
    const visit = (v: unknown, depth: number) => {
      if (depth > 3 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) {
        for (const x of v) visit(x, depth + 1);
        return;
      }
      for (const [k, x] of Object.entries(v)) {
        if (k === 'addresses' && isJsonObject(x)) found.push(x);
        else if (k === 'security_groups' && Array.isArray(x)) groups.push(x.filter((g) => g && typeof g === 'object') as { name?: unknown }[]);
        else visit(x, depth + 1);
      }
    };
    visit(doc, 0);
    if (found.length === 0 && groups.length === 0) return body;
    await this.relabel(found);
    await this.renameGroups(groups);
    return Buffer.from(JSON.stringify(doc));
  }
}

const UUID_BYTES = /"name"\s*:\s*"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"/;

/** Whether some `"security_groups"` list of the JSON text names a group by a top id. */
export function hasGroupNamedById(body: Buffer): boolean {
  let at = body.indexOf(GROUPS_NEEDLE);
  while (at >= 0) {
    const end = body.indexOf(0x5d /* ] */, at);
    if (end < 0) return false;
    if (UUID_BYTES.test(body.toString('latin1', at, end))) return true;
    at = body.indexOf(GROUPS_NEEDLE, end);
  }
  return false;
}

/** Whether some `"addresses"` member of the JSON text is an object with content. */
export function hasNonEmptyAddresses(body: Buffer): boolean {
  let at = body.indexOf(NEEDLE);
  while (at >= 0) {
    let i = at + NEEDLE.length;
    while (i < body.length && isSpace(body[i])) i++;
    if (body[i] === 0x3a /* : */) {
      i++;
      while (i < body.length && isSpace(body[i])) i++;
      if (body[i] === 0x7b /* { */) {
        i++;
        while (i < body.length && isSpace(body[i])) i++;
        if (body[i] !== 0x7d /* } */) return true;
      }
    }
    at = body.indexOf(NEEDLE, at + NEEDLE.length);
  }
  return false;
}
