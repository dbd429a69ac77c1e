/** Small reads the described resources share: a visible port's addresses, a visible router's project. */
import { ApiError } from '../common/index.js';
import { notFound } from './errors.js';
import { findVisiblePort } from './ports/service.js';
import type { Caller } from './policy.js';
import { visibleRouter } from './routers/service.js';
import type { Trx } from './tx.js';

export interface PortAddresses {
  id: string;
  projectId: string;
  networkId: string;
  addresses: { subnetId: string; ip: string }[];
}

/** The port if `caller` sees it, else 404 PortNotFound. */
export async function visiblePortAddresses(trx: Trx, caller: Caller, portId: string): Promise<PortAddresses> {
  const port = await findVisiblePort(trx, caller, portId);
  if (!port) throw notFound.port(portId);
  const ips = await trx.selectFrom('ip_allocations').select(['subnet_id', 'ip_address']).where('port_id', '=', portId).orderBy('ip_address').execute();
  return { id: port.id, projectId: port.project_id, networkId: port.network_id, addresses: ips.map((i) => ({ subnetId: i.subnet_id, ip: i.ip_address })) };
}

export const routerNotFound = (id: string) => new ApiError(404, `Router ${id} could not be found.`, 'RouterNotFound');

/** The router's project if `caller` sees it. */
export async function visibleRouterOwner(trx: Trx, caller: Caller, routerId: string): Promise<string | undefined> {
  const row = await trx.selectFrom('routers').select('routers.project_id').where('routers.id', '=', routerId).where(visibleRouter(caller)).executeTakeFirst();
  return row?.project_id;
}
