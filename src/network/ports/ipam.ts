/**
 * IP address management of the top networking service. Each address a port holds is a row of
 * ip_allocations keyed by (subnet_id, ip_address): whoever inserts the row first owns the address, so
 * no address is ever handed out twice, on any of the three databases and across processes. A port
 * that loses a race for a candidate picks another.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { bad, conflict, invalidInput } from '../errors.js';
import { eui64Address, formatIp, parseCidr, parseIp, type Cidr } from '../ip.js';
import { isAutoAddress, poolRange, type Pool } from '../subnets/addressing.js';
import { insertUnlessTaken, parseJson, type Trx } from '../tx.js';

/** What IPAM needs of a subnet. */
export interface IpamSubnet {
  id: string;
  networkId: string;
  cidr: Cidr;
  gatewayIp: string | null;
  pools: Pool[];
  addressMode: string | null;
}

export interface FixedIpRequest {
  subnetId?: string;
  ipAddress?: string;
}

export interface FixedIp {
  subnetId: string;
  ipAddress: string;
}

/** One address to obtain: a given one, an automatic (EUI-64) one, or any free one of some subnets (the first that has one). */
export type AllocationStep =
  | { kind: 'fixed'; subnet: IpamSubnet; ip: string }
  | { kind: 'eui64'; subnet: IpamSubnet }
  | { kind: 'any'; subnets: IpamSubnet[]; exhausted: () => Error };

export const ROUTER_OWNERS = [
  'network:router_interface',
  'network:router_interface_distributed',
  'network:ha_router_replicated_interface',
  'network:router_gateway',
  'network:router_centralized_snat',
];

/** Base of generated MACs, as Neutron's default base_mac. */
const MAC_BASE = [0xfa, 0x16, 0x3e];

export function randomMac(): string {
  return [...MAC_BASE, ...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The subnets of a network, in creation order, as IPAM sees them. */
export async function ipamSubnetsOf(trx: Trx, networkId: string): Promise<IpamSubnet[]> {
  const rows = await trx
    .selectFrom('subnets')
    .select(['id', 'network_id', 'cidr', 'gateway_ip', 'allocation_pools', 'ipv6_address_mode'])
    .where('network_id', '=', networkId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    networkId: r.network_id,
    cidr: parseCidr(r.cidr)!,
    gatewayIp: r.gateway_ip,
    pools: parseJson<Pool[]>(r.allocation_pools, []),
    addressMode: r.ipv6_address_mode,
  }));
}

/**
 * Turns a port's `fixed_ips` request (undefined: none given) into allocation steps, checking each
 * entry against the network's subnets as upstream does.
 */
export function planAllocations(networkId: string, subnets: IpamSubnet[], requested: FixedIpRequest[] | undefined, deviceOwner: string): AllocationStep[] {
  if (requested === undefined) {
    const steps: AllocationStep[] = [];
    const v4 = subnets.filter((s) => s.cidr.version === 4);
    const v6Stateful = subnets.filter((s) => s.cidr.version === 6 && !isAutoAddress(s.addressMode));
    if (v4.length) steps.push({ kind: 'any', subnets: v4, exhausted: () => conflict.ipExhaustedOnNetwork(networkId) });
    if (v6Stateful.length) steps.push({ kind: 'any', subnets: v6Stateful, exhausted: () => conflict.ipExhaustedOnNetwork(networkId) });
    for (const s of subnets) if (s.cidr.version === 6 && isAutoAddress(s.addressMode) && !ROUTER_OWNERS.includes(deviceOwner)) steps.push({ kind: 'eui64', subnet: s });
    return steps;
  }
  const wanted = new Set<string>();
  return requested.map((r) => {
    let subnet: IpamSubnet | undefined;
    if (r.subnetId !== undefined) {
      subnet = subnets.find((s) => s.id === r.subnetId);
      if (!subnet) throw invalidSubnetForNetwork(networkId, r.subnetId);
    }
    if (r.ipAddress === undefined) {
      if (isAutoAddress(subnet!.addressMode)) return { kind: 'eui64', subnet: subnet! };
      return { kind: 'any', subnets: [subnet!], exhausted: () => conflict.ipExhaustedOnSubnet(subnet!.id) };
    }
    const ip = parseIp(r.ipAddress)!;
    if (subnet === undefined) {
      subnet = subnets.find((s) => s.cidr.version === ip.version && ip.value >= s.cidr.first && ip.value <= s.cidr.last);
      if (!subnet) throw bad.invalidIpForNetwork(r.ipAddress);
    }
    const c = subnet.cidr;
    if (ip.version !== c.version || ip.value < c.first || ip.value > c.last) throw bad.invalidIpForSubnet(r.ipAddress);
    if (c.version === 4 && c.prefixLength < 31 && (ip.value === c.first || ip.value === c.last)) throw bad.invalidIpForSubnet(r.ipAddress);
    if (isAutoAddress(subnet.addressMode) && !ROUTER_OWNERS.includes(deviceOwner)) throw bad.autoAddressSubnet(r.ipAddress, subnet.id);
    const text = formatIp(ip.version, ip.value);
    if (text === subnet.gatewayIp && !ROUTER_OWNERS.includes(deviceOwner)) throw conflict.ipAlreadyAllocated(text, subnet.id);
    if (wanted.has(`${subnet.id}/${text}`)) throw conflict.ipAlreadyAllocated(text, subnet.id);
    wanted.add(`${subnet.id}/${text}`);
    return { kind: 'fixed', subnet, ip: text };
  });
}

const invalidSubnetForNetwork = (networkId: string, subnetId: string) =>
  invalidInput(`Failed to create port on network ${networkId}, because fixed_ips included invalid subnet ${subnetId}`);

/** How many free candidates an allocation chooses among at random, to keep concurrent creates apart. */
const SPREAD = 16;

async function claim(db: Db, trx: Trx, subnet: IpamSubnet, ip: string, portId: string): Promise<boolean> {
  await insertUnlessTaken(db, trx, 'ip_allocations', { subnet_id: subnet.id, ip_address: ip, network_id: subnet.networkId, port_id: portId });
  const row = await trx.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', subnet.id).where('ip_address', '=', ip).executeTakeFirst();
  if (!row) throw conflict.ipExhaustedOnSubnet(subnet.id); // the subnet went away meanwhile
  return row.port_id === portId;
}

/** Any free address of the subnet's pools, or undefined when none is left. */
async function claimAny(db: Db, trx: Trx, subnet: IpamSubnet, portId: string): Promise<string | undefined> {
  const lost = new Set<string>();
  const version = subnet.cidr.version;
  for (;;) {
    const held = new Set((await trx.selectFrom('ip_allocations').select('ip_address').where('subnet_id', '=', subnet.id).execute()).map((r) => r.ip_address));
    const candidates: string[] = [];
    outer: for (const pool of subnet.pools) {
      const range = poolRange(pool);
      for (let v = range.first; v <= range.last; v++) {
        const ip = formatIp(version, v);
        if (held.has(ip) || lost.has(ip) || ip === subnet.gatewayIp) continue;
        candidates.push(ip);
        if (candidates.length >= SPREAD) break outer;
      }
    }
    if (candidates.length === 0) return undefined;
    const ip = candidates[Math.floor(Math.random() * candidates.length)];
    if (await claim(db, trx, subnet, ip, portId)) return ip;
    lost.add(ip);
  }
}

/** Performs the steps for `portId` inside the caller's transaction; returns the addresses obtained. */
export async function allocateAddresses(db: Db, trx: Trx, portId: string, mac: string, steps: AllocationStep[]): Promise<FixedIp[]> {
  const out: FixedIp[] = [];
  for (const step of steps) {
    if (step.kind === 'fixed') {
      if (!(await claim(db, trx, step.subnet, step.ip, portId))) throw conflict.ipAlreadyAllocated(step.ip, step.subnet.id);
      out.push({ subnetId: step.subnet.id, ipAddress: step.ip });
    } else if (step.kind === 'eui64') {
      const ip = formatIp(6, eui64Address(step.subnet.cidr, mac));
      if (!(await claim(db, trx, step.subnet, ip, portId))) throw conflict.ipAlreadyAllocated(ip, step.subnet.id);
      out.push({ subnetId: step.subnet.id, ipAddress: ip });
    } else {
      let got: FixedIp | undefined;
      for (const subnet of step.subnets) {
        const ip = await claimAny(db, trx, subnet, portId);
        if (ip !== undefined) {
          got = { subnetId: subnet.id, ipAddress: ip };
          break;
        }
      }
      if (!got) throw step.exhausted();
      out.push(got);
    }
  }
  return out;
}

/** The addresses of ports, in subnet creation order. */
export async function addressesOf(trx: Trx, portIds: string[]): Promise<Map<string, FixedIp[]>> {
  const out = new Map<string, FixedIp[]>();
  if (portIds.length === 0) return out;
  const rows = await trx
    .selectFrom('ip_allocations')
    .innerJoin('subnets', 'subnets.id', 'ip_allocations.subnet_id')
    .select(['ip_allocations.port_id as port_id', 'ip_allocations.subnet_id as subnet_id', 'ip_allocations.ip_address as ip_address'])
    .where('ip_allocations.port_id', 'in', portIds)
    .orderBy('subnets.created_at')
    .orderBy('subnets.id')
    .execute();
  for (const r of rows) out.set(r.port_id, [...(out.get(r.port_id) ?? []), { subnetId: r.subnet_id, ipAddress: r.ip_address }]);
  return out;
}
