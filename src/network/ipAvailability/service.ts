/**
 * `/v2.0/network-ip-availabilities` (extension network-ip-availability): how many addresses each
 * network's subnets have and use, from the top's IPAM (every pod's addresses are allocated there, the
 * per-pod gateway and DHCP ports included). Admin only, as upstream's policy.
 */
import type { Db } from '../../db/index.js';
import { applyListInMemory } from '../api/memoryList.js';
import { notFound, policyNotAuthorized } from '../errors.js';
import { parseCidr, parseIp, rangeSize, usableRange } from '../ip.js';
import type { Caller } from '../policy.js';
import { parseJson } from '../tx.js';

interface Counts {
  total_ips_in_subnet: bigint;
  total_ips_in_allocation_pool: bigint;
  used_ips_in_subnet: number;
  used_ips_in_allocation_pool: number;
}

const asNumber = (c: Counts) => ({
  total_ips_in_subnet: Number(c.total_ips_in_subnet),
  total_ips_in_allocation_pool: Number(c.total_ips_in_allocation_pool),
  used_ips_in_subnet: c.used_ips_in_subnet,
  used_ips_in_allocation_pool: c.used_ips_in_allocation_pool,
});

export class IpAvailabilityService {
  constructor(private readonly db: Db) {}

  private async all(networkIds?: string[]): Promise<Record<string, unknown>[]> {
    const k = this.db.kysely;
    let nq = k.selectFrom('networks').select(['id', 'name', 'project_id']).orderBy('id');
    if (networkIds) nq = nq.where('id', 'in', networkIds.length ? networkIds : ['']);
    const networks = await nq.execute();
    if (networks.length === 0) return [];
    const ids = networks.map((n) => n.id);
    const subnets = await k
      .selectFrom('subnets')
      .select(['id', 'name', 'network_id', 'cidr', 'ip_version', 'allocation_pools'])
      .where('network_id', 'in', ids)
      .orderBy('id')
      .execute();
    const allocations = subnets.length
      ? await k
          .selectFrom('ip_allocations')
          .select(['subnet_id', 'ip_address'])
          .where(
            'subnet_id',
            'in',
            subnets.map((s) => s.id),
          )
          .execute()
      : [];
    return networks.map((n) => {
      const total: Counts = { total_ips_in_subnet: 0n, total_ips_in_allocation_pool: 0n, used_ips_in_subnet: 0, used_ips_in_allocation_pool: 0 };
      const perSubnet = subnets
        .filter((s) => s.network_id === n.id)
        .map((s) => {
          const cidr = parseCidr(s.cidr)!;
          const usable = Number(s.ip_version) === 4 ? usableRange(cidr) : { first: cidr.first, last: cidr.last };
          const pools = parseJson<{ start: string; end: string }[]>(s.allocation_pools, []).map((p) => ({ first: parseIp(p.start)!.value, last: parseIp(p.end)!.value }));
          const used = allocations.filter((a) => a.subnet_id === s.id).map((a) => parseIp(a.ip_address)!.value);
          const c: Counts = {
            total_ips_in_subnet: usable ? rangeSize(usable) : 0n,
            total_ips_in_allocation_pool: pools.reduce((sum, p) => sum + rangeSize(p), 0n),
            used_ips_in_subnet: used.length,
            used_ips_in_allocation_pool: used.filter((v) => pools.some((p) => v >= p.first && v <= p.last)).length,
          };
          total.total_ips_in_subnet += c.total_ips_in_subnet;
          total.total_ips_in_allocation_pool += c.total_ips_in_allocation_pool;
          total.used_ips_in_subnet += c.used_ips_in_subnet;
          total.used_ips_in_allocation_pool += c.used_ips_in_allocation_pool;
          return {
            subnet_id: s.id,
            subnet_name: s.name,
            ip_version: Number(s.ip_version),
            cidr: s.cidr,
            total_ips: Number(c.total_ips_in_allocation_pool),
            used_ips: c.used_ips_in_subnet,
            ip_availability_details: asNumber(c),
          };
        });
      return {
        network_id: n.id,
        network_name: n.name,
        project_id: n.project_id,
        tenant_id: n.project_id,
        total_ips: Number(total.total_ips_in_allocation_pool),
        used_ips: total.used_ips_in_subnet,
        subnet_ip_availability: perSubnet,
        ip_availability_details: asNumber(total),
      };
    });
  }

  async list(caller: Caller, query: URLSearchParams): Promise<Record<string, unknown>> {
    if (!caller.isAdmin) throw policyNotAuthorized(['get_network_ip_availability']);
    const versions = query.getAll('ip_version');
    const rest = new URLSearchParams([...query].filter(([k]) => k !== 'ip_version'));
    let items = await this.all();
    if (versions.length) {
      items = items
        .map((i) => ({ ...i, subnet_ip_availability: (i.subnet_ip_availability as { ip_version: number }[]).filter((s) => versions.includes(String(s.ip_version))) }))
        .filter((i) => i.subnet_ip_availability.length > 0);
    }
    return { network_ip_availabilities: applyListInMemory(items, rest, ['network_id', 'network_name', 'project_id', 'tenant_id']) };
  }

  async show(caller: Caller, networkId: string, fields: string[]): Promise<Record<string, unknown>> {
    if (!caller.isAdmin) throw policyNotAuthorized(['get_network_ip_availability']);
    const [found] = await this.all([networkId]);
    if (!found) throw notFound.network(networkId);
    if (fields.length === 0) return { network_ip_availability: found };
    return { network_ip_availability: Object.fromEntries(fields.filter((f) => f in found).map((f) => [f, found[f]])) };
  }
}
