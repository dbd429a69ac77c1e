/**
 * Router sub-resources held at the top with the router: conntrack helpers
 * (`/v2.0/routers/{id}/conntrack_helpers`, extension l3-conntrack-helper) and NDP proxies
 * (`/v2.0/ndp_proxies`, extension l3-ndp-proxy). Both belong to the router's project.
 */
import { ApiError } from '../../common/index.js';
import { badRequest, invalidAttribute } from '../errors.js';
import { toInt, toIp, toStr, toUuid } from '../input.js';
import { routerNotFound, visiblePortAddresses, visibleRouterOwner } from '../lookups.js';
import { loose } from '../simple/service.js';
import type { SimpleResourceSpec } from '../simple/spec.js';
import type { Trx } from '../tx.js';

const PROTOCOLS = ['tcp', 'udp', 'dccp', 'sctp', 'udplite'];

export const conntrackHelperSpec: SimpleResourceSpec = {
  resource: 'conntrack_helper',
  collection: 'conntrack_helpers',
  path: 'routers/:id/conntrack_helpers',
  table: 'conntrack_helpers',
  policyName: 'router_conntrack_helper',
  project: true,
  standard: false,
  visibility: 'everyone',
  create: 'anyone',
  modify: 'owner',
  parent: { column: 'router_id', ownerOf: visibleRouterOwner, missing: routerNotFound },
  notFound: (id) => new ApiError(404, `Conntrack Helper ${id} could not be found.`, 'ConntrackHelperNotFound'),
  fields: {
    protocol: {
      kind: 'string',
      required: true,
      put: true,
      convert: (v, a) => {
        const p = toStr(36)(v, a).toLowerCase();
        if (!PROTOCOLS.includes(p)) throw invalidAttribute(a, `'${p}' is not in ${JSON.stringify(PROTOCOLS).replace(/"/g, "'")}`);
        return p;
      },
    },
    port: {
      kind: 'int',
      required: true,
      put: true,
      convert: (v, a) => {
        const n = toInt(v, a);
        if (n < 1 || n > 65535) throw invalidAttribute(a, `'${n}' is not a valid port number`);
        return n;
      },
    },
    helper: { kind: 'string', required: true, put: true, convert: toStr(64) },
  },
  async beforeCreate({ trx }, row) {
    await refuseDuplicate(trx, row);
  },
  async beforeUpdate({ trx }, row) {
    await refuseDuplicate(trx, row);
  },
};

async function refuseDuplicate(trx: Trx, row: Record<string, unknown>): Promise<void> {
  const same = await loose(trx)
    .selectFrom('conntrack_helpers')
    .select('id')
    .where('router_id', '=', row.router_id)
    .where('protocol', '=', row.protocol)
    .where('port', '=', row.port)
    .where('helper', '=', row.helper)
    .where('id', '!=', row.id)
    .executeTakeFirst();
  if (same) {
    throw badRequest(
      `A duplicate conntrack helper entry with same attributes already exists, conflicting values are {'router_id': '${row.router_id}', 'protocol': '${row.protocol}', 'port': ${row.port}, 'helper': '${row.helper}'}`,
    );
  }
}

export const ndpProxySpec: SimpleResourceSpec = {
  resource: 'ndp_proxy',
  collection: 'ndp_proxies',
  path: 'ndp_proxies',
  table: 'ndp_proxies',
  policyName: 'ndp_proxy',
  project: true,
  standard: true,
  visibility: 'owner',
  create: 'anyone',
  modify: 'owner',
  notFound: (id) => new ApiError(404, `Ndp proxy ${id} could not be found.`, 'NDPProxyNotFound'),
  fields: {
    name: { kind: 'string', put: true, convert: toStr(255), default: '' },
    description: { kind: 'string', put: true, convert: toStr(255), default: '' },
    router_id: { kind: 'string', required: true, convert: toUuid },
    port_id: { kind: 'string', required: true, convert: toUuid },
    ip_address: { kind: 'string', convert: toIp, default: '' },
  },
  async beforeCreate({ trx, caller }, row) {
    const routerOwner = await visibleRouterOwner(trx, caller, String(row.router_id));
    if (routerOwner === undefined) throw routerNotFound(String(row.router_id));
    const port = await visiblePortAddresses(trx, caller, String(row.port_id));
    const v6 = port.addresses.filter((a) => a.ip.includes(':'));
    if (row.ip_address) {
      if (!v6.some((a) => a.ip === row.ip_address)) throw badRequest(`The IP address ${row.ip_address} is not an IPv6 address of port ${port.id}`);
    } else if (v6.length === 1) {
      row.ip_address = v6[0].ip;
    } else {
      throw badRequest(`Port ${port.id} has ${v6.length === 0 ? 'no' : 'several'} IPv6 addresses: ip_address must name one`);
    }
    const subnets = v6.map((a) => a.subnetId);
    const attached = await trx
      .selectFrom('router_ports')
      .innerJoin('ip_allocations', 'ip_allocations.port_id', 'router_ports.port_id')
      .select('ip_allocations.subnet_id')
      .where('router_ports.router_id', '=', String(row.router_id))
      .where('ip_allocations.subnet_id', 'in', subnets)
      .executeTakeFirst();
    if (!attached) throw badRequest(`The port ${port.id} cannot reach router ${row.router_id}: none of its IPv6 subnets is attached to the router`);
    const used = await loose(trx).selectFrom('ndp_proxies').select('id').where('router_id', '=', row.router_id).where('ip_address', '=', row.ip_address).executeTakeFirst();
    if (used) throw new ApiError(409, `The IP address ${row.ip_address} already has an NDP proxy on router ${row.router_id}.`, 'Conflict');
  },
};
