/**
 * What the port API must respect of routers and floating IPs (called by PortService.delete):
 * a router's or floating IP's own port is not deleted through the port API (409 ServicePortInUse, as
 * upstream), and deleting an internal port disassociates the floating IPs on it.
 */
import { dbNow, type Db } from '../../db/index.js';
import type { Trx } from '../tx.js';
import { l3Conflict } from './errors.js';
import type { L3JobRecorder } from './jobs.js';
import { FLOATINGIP, L3_OWNERS } from './l3ports.js';

/** 409 when the port belongs to an existing router or floating IP. */
export async function refuseL3PortDelete(trx: Trx, port: { id: string; device_owner: string; device_id: string }): Promise<void> {
  if (!L3_OWNERS.includes(port.device_owner)) return;
  const owner =
    port.device_owner === FLOATINGIP
      ? await trx.selectFrom('floatingips').select('id').where('floating_port_id', '=', port.id).executeTakeFirst()
      : await trx.selectFrom('router_ports').select('router_id as id').where('port_id', '=', port.id).executeTakeFirst();
  if (owner) throw l3Conflict.servicePortInUse(port.id, port.device_owner);
}

/** Disassociates the floating IPs of a port about to be deleted, requesting `fip_setup` for each. */
export async function releaseFloatingIpsOfPort(db: Db, trx: Trx, portId: string, request: L3JobRecorder): Promise<void> {
  const fips = await trx.selectFrom('floatingips').select(['id', 'project_id']).where('fixed_port_id', '=', portId).execute();
  if (fips.length === 0) return;
  await trx
    .updateTable('floatingips')
    .set((eb) => ({
      fixed_port_id: null,
      fixed_ip_address: null,
      router_id: null,
      status: 'DOWN',
      revision_number: eb('revision_number', '+', 1),
      updated_at: dbNow(db.dialect),
    }))
    .where('fixed_port_id', '=', portId)
    .execute();
  for (const f of fips) await request.floatingIp(f.id, f.project_id);
}
