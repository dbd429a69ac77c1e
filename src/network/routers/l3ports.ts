/**
 * The top ports that routers and floating IPs hold: router interfaces (a subnet's gateway IP or a
 * user's port), router gateways and floating IP ports on external networks. They are ordinary rows of
 * `ports`, with addresses from the same IPAM (ip_allocations keys), made and removed here inside the
 * caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { dbNow } from '../../db/index.js';
import { notFound } from '../errors.js';
import { addressesOf, allocateAddresses, ipamSubnetsOf, planAllocations, randomMac, type AllocationStep, type FixedIp, type FixedIpRequest } from '../ports/ipam.js';
import { dropTags } from '../tags.js';
import type { Trx } from '../tx.js';

export const ROUTER_INTERFACE = 'network:router_interface';
export const ROUTER_GATEWAY = 'network:router_gateway';
export const FLOATINGIP = 'network:floatingip';
/** Owners whose ports cannot be deleted through the port API while their router or floating IP exists. */
export const L3_OWNERS = [ROUTER_INTERFACE, ROUTER_GATEWAY, FLOATINGIP];

/** Upstream's status of a floating IP port. */
export const PORT_STATUS_NOT_APPLICABLE = 'N/A';

export interface ServicePortSpec {
  id?: string;
  projectId: string;
  networkId: string;
  deviceId: string;
  deviceOwner: string;
  status: string;
  /** Requested addresses; undefined for upstream's default (one IPv4, one stateful IPv6 ...). */
  fixedIps?: FixedIpRequest[];
  /** Or the allocation steps themselves. */
  steps?: AllocationStep[];
}

/** Creates a port for a router or a floating IP with its addresses; 404 if the network is gone. */
export async function createServicePort(db: Db, trx: Trx, spec: ServicePortSpec): Promise<{ id: string; macAddress: string; fixedIps: FixedIp[] }> {
  const id = spec.id ?? randomUUID();
  const network = await trx.selectFrom('networks').select(['id', 'port_security_enabled']).where('id', '=', spec.networkId).executeTakeFirst();
  if (!network) throw notFound.network(spec.networkId);
  let mac: string;
  do mac = randomMac();
  while (await trx.selectFrom('ports').select('id').where('network_id', '=', spec.networkId).where('mac_address', '=', mac).executeTakeFirst());
  const steps = spec.steps ?? planAllocations(spec.networkId, await ipamSubnetsOf(trx, spec.networkId), spec.fixedIps, spec.deviceOwner);
  const now = dbNow(db.dialect);
  await trx
    .insertInto('ports')
    .values({
      id,
      project_id: spec.projectId,
      network_id: spec.networkId,
      name: '',
      description: '',
      mac_address: mac,
      admin_state_up: 1,
      status: spec.status,
      device_id: spec.deviceId,
      device_owner: spec.deviceOwner,
      port_security_enabled: Number(network.port_security_enabled) ? 1 : 0,
      binding_host_id: '',
      binding_vnic_type: 'normal',
      binding_profile: '{}',
      allowed_address_pairs: '[]',
      extra_dhcp_opts: '[]',
      reserved_for: null,
      revision_number: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const fixedIps = await allocateAddresses(db, trx, id, mac, steps);
  return { id, macAddress: mac, fixedIps };
}

/**
 * Gives a port exactly the `requested` addresses, as a port update does: an entry naming an address
 * the port holds keeps it, an entry naming only a subnet keeps the port's address there (or gets a
 * new one), every other address is released.
 */
export async function replacePortAddresses(db: Db, trx: Trx, portId: string, requested: FixedIpRequest[]): Promise<FixedIp[]> {
  const port = await trx.selectFrom('ports').select(['id', 'network_id', 'mac_address', 'device_owner']).where('id', '=', portId).executeTakeFirstOrThrow();
  const current = (await addressesOf(trx, [portId])).get(portId) ?? [];
  const kept: FixedIp[] = [];
  const fresh: FixedIpRequest[] = [];
  for (const r of requested) {
    const match = current.find(
      (f) => !kept.includes(f) && (r.ipAddress !== undefined ? f.ipAddress === r.ipAddress && (r.subnetId === undefined || f.subnetId === r.subnetId) : f.subnetId === r.subnetId),
    );
    if (match) kept.push(match);
    else fresh.push(r);
  }
  for (const f of current.filter((c) => !kept.includes(c))) {
    await trx.deleteFrom('ip_allocations').where('subnet_id', '=', f.subnetId).where('ip_address', '=', f.ipAddress).where('port_id', '=', portId).execute();
  }
  if (fresh.length) {
    const steps = planAllocations(port.network_id, await ipamSubnetsOf(trx, port.network_id), fresh, port.device_owner);
    await allocateAddresses(db, trx, portId, port.mac_address, steps);
  }
  await bumpPort(db, trx, portId);
  return (await addressesOf(trx, [portId])).get(portId) ?? [];
}

/** Deletes a router's or floating IP's port with its addresses (the keys cascade) and tags. */
export async function deleteServicePort(trx: Trx, portId: string): Promise<void> {
  await dropTags(trx, 'ports', [portId]);
  await trx.deleteFrom('ports').where('id', '=', portId).execute();
}

export async function bumpPort(db: Db, trx: Trx, portId: string): Promise<void> {
  await trx
    .updateTable('ports')
    .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: dbNow(db.dialect) }))
    .where('id', '=', portId)
    .execute();
}
