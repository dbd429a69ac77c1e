/**
 * `/v2.0/log/logs` and `/v2.0/log/loggable-resources` (extension logging): security-group logging
 * requests, held at the top; a log names a security group (`resource_id`) and/or a port (`target_id`)
 * the caller can see.
 */
import { ApiError } from '../../common/index.js';
import { invalidAttribute } from '../errors.js';
import { toBool, toStr, toUuid } from '../input.js';
import { visiblePortAddresses } from '../lookups.js';
import type { SimpleResourceSpec } from '../simple/spec.js';

export const LOGGABLE_RESOURCES = [{ type: 'security_group' }];

const oneOf = (allowed: string[]) => (v: unknown, a: string) => {
  const s = toStr(36)(v, a);
  if (!allowed.includes(s)) throw invalidAttribute(a, `'${s}' is not in ${JSON.stringify(allowed).replace(/"/g, "'")}`);
  return s;
};

export const logSpec: SimpleResourceSpec = {
  resource: 'log',
  collection: 'logs',
  path: 'log/logs',
  table: 'network_logs',
  policyName: 'log',
  project: true,
  standard: true,
  visibility: 'owner',
  create: 'anyone',
  modify: 'owner',
  notFound: (id) => new ApiError(404, `Log ${id} could not be found.`, 'LogResourceNotFound'),
  fields: {
    name: { kind: 'string', put: true, convert: toStr(255), default: '' },
    description: { kind: 'string', put: true, convert: toStr(255), default: '' },
    resource_type: { kind: 'string', required: true, convert: oneOf(LOGGABLE_RESOURCES.map((r) => r.type)) },
    resource_id: { kind: 'string', convert: (v, a) => (v === null ? null : toUuid(v, a)), default: null },
    target_id: { kind: 'string', convert: (v, a) => (v === null ? null : toUuid(v, a)), default: null },
    event: { kind: 'string', convert: oneOf(['ALL', 'ACCEPT', 'DROP']), default: 'ALL' },
    enabled: { kind: 'bool', put: true, convert: toBool, default: true },
  },
  async beforeCreate({ trx, caller }, row) {
    if (row.resource_id) {
      const sg = await trx.selectFrom('security_groups').select('project_id').where('id', '=', String(row.resource_id)).executeTakeFirst();
      if (!sg || (!caller.isAdmin && sg.project_id !== caller.projectId)) {
        throw new ApiError(404, `Resource ${row.resource_id} could not be found.`, 'ResourceNotFound');
      }
    }
    if (row.target_id) await visiblePortAddresses(trx, caller, String(row.target_id));
  },
};
