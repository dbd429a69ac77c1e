/**
 * `/v2.0/local_ips` and `/v2.0/local_ips/{id}/port_associations` (extension local_ip): a local IP
 * is an address of an existing top port (`local_port_id`), which associated ports use as a shared
 * virtual address. Top state only; an association is refused across networks of other projects
 * as upstream's policy refuses using ports one cannot see.
 */
import { ApiError } from '../../common/index.js';
import { badRequest, invalidAttribute } from '../errors.js';
import { toIp, toStr, toUuid } from '../input.js';
import { visiblePortAddresses } from '../lookups.js';
import type { SimpleResourceSpec } from '../simple/spec.js';

export const localIpNotFound = (id: string) => new ApiError(404, `Local IP ${id} could not be found.`, 'LocalIPNotFound');

export const localIpSpec: SimpleResourceSpec = {
  resource: 'local_ip',
  collection: 'local_ips',
  path: 'local_ips',
  table: 'local_ips',
  policyName: 'local_ip',
  project: true,
  standard: true,
  tagType: 'local_ips',
  visibility: 'owner',
  create: 'anyone',
  modify: 'owner',
  notFound: localIpNotFound,
  fields: {
    name: { kind: 'string', put: true, convert: toStr(255), default: '' },
    description: { kind: 'string', put: true, convert: toStr(255), default: '' },
    local_port_id: { kind: 'string', convert: toUuid, default: '' },
    network_id: { kind: 'string', convert: toUuid, default: '' },
    local_ip_address: { kind: 'string', convert: toIp, default: '' },
    ip_mode: {
      kind: 'string',
      convert: (v, a) => {
        const mode = toStr(36)(v, a);
        if (mode !== 'translate' && mode !== 'passthrough') throw invalidAttribute(a, `'${mode}' is not in ['translate', 'passthrough']`);
        return mode;
      },
      default: 'translate',
    },
  },
  async beforeCreate({ trx, caller }, row) {
    if (!row.local_port_id) {
      throw badRequest('Tricircle makes local IPs from an existing port: local_port_id is required (a port of the network can be created first)');
    }
    const port = await visiblePortAddresses(trx, caller, String(row.local_port_id));
    if (row.network_id && row.network_id !== port.networkId) throw badRequest(`Port ${port.id} is not on network ${row.network_id}`);
    row.network_id = port.networkId;
    if (port.addresses.length === 0) throw badRequest(`Port ${port.id} has no IP addresses`);
    if (row.local_ip_address) {
      if (!port.addresses.some((a) => a.ip === row.local_ip_address)) throw badRequest(`IP address ${row.local_ip_address} is not an address of port ${port.id}`);
    } else if (port.addresses.length > 1) {
      throw badRequest(`Port ${port.id} has several addresses: local_ip_address must name one`);
    } else {
      row.local_ip_address = port.addresses[0].ip;
    }
  },
  async beforeDelete({ trx }, row) {
    await trx.deleteFrom('local_ip_associations').where('local_ip_id', '=', row.id).execute();
  },
};

export const localIpAssociationSpec: SimpleResourceSpec = {
  resource: 'port_association',
  collection: 'port_associations',
  path: 'local_ips/:id/port_associations',
  table: 'local_ip_associations',
  policyName: 'local_ip_port_association',
  project: false,
  standard: false,
  visibility: 'everyone',
  create: 'anyone',
  modify: 'owner',
  noUpdate: true,
  idIsAttribute: 'fixed_port_id',
  parent: {
    column: 'local_ip_id',
    async ownerOf(trx, caller, id) {
      const project = (await trx.selectFrom('local_ips').select('project_id').where('id', '=', id).executeTakeFirst())?.project_id;
      return project !== undefined && (caller.isAdmin || project === caller.projectId) ? project : undefined;
    },
    missing: localIpNotFound,
  },
  notFound: (id) => new ApiError(404, `Local IP association for port ${id} could not be found.`, 'LocalIPAssociationNotFound'),
  fields: {
    local_ip_id: { kind: 'string', post: false },
    fixed_port_id: { kind: 'string', column: 'id', required: true, convert: toUuid },
    fixed_ip: { kind: 'string', convert: toIp, default: '' },
    host: { kind: 'string', post: false, default: null },
  },
  async beforeCreate({ trx, caller }, row) {
    const port = await visiblePortAddresses(trx, caller, String(row.id));
    const taken = await trx.selectFrom('local_ip_associations').select('id').where('local_ip_id', '=', String(row.local_ip_id)).where('id', '=', row.id).executeTakeFirst();
    if (taken) throw new ApiError(409, `Local IP ${row.local_ip_id} is already associated with port ${row.id}.`, 'LocalIPPortAssociationExists');
    const v4 = port.addresses.filter((a) => !a.ip.includes(':'));
    if (row.fixed_ip) {
      if (!port.addresses.some((a) => a.ip === row.fixed_ip)) throw badRequest(`IP address ${row.fixed_ip} is not an address of port ${port.id}`);
    } else if (v4.length === 1) {
      row.fixed_ip = v4[0].ip;
    } else {
      throw badRequest(`Port ${port.id} has ${v4.length === 0 ? 'no' : 'several'} IPv4 addresses: fixed_ip must name one`);
    }
  },
  async decorate(trx, rows) {
    const ids = [...new Set(rows.map((r) => String(r.local_ip_id)))];
    const found = ids.length ? await trx.selectFrom('local_ips').select(['id', 'local_ip_address']).where('id', 'in', ids).execute() : [];
    return new Map(rows.map((r) => [r.id, { local_ip_address: found.find((f) => f.id === r.local_ip_id)?.local_ip_address ?? null }]));
  },
};
