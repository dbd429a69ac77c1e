/**
 * `/v2.0/address-scopes` (extension address-scope): top-owned. Subnet pools join a scope through
 * `address_scope_id` (same IP version); a scope in use by subnet pools cannot be deleted (409). The
 * pods need no copy: scopes only constrain the top's IPAM and routing decisions.
 */
import { ApiError } from '../../common/index.js';
import { invalidAttribute } from '../errors.js';
import { toBool, toInt, toStr } from '../input.js';
import type { SimpleResourceSpec } from '../simple/spec.js';

export const addressScopeNotFound = (id: string) => new ApiError(404, `Address scope ${id} could not be found.`, 'AddressScopeNotFound');

export const addressScopeSpec: SimpleResourceSpec = {
  resource: 'address_scope',
  collection: 'address_scopes',
  path: 'address-scopes',
  table: 'address_scopes',
  policyName: 'address_scope',
  project: true,
  standard: true,
  tagType: 'address_scopes',
  visibility: 'ownerOrShared',
  rbacObjectType: 'address_scope',
  create: 'anyone',
  modify: 'owner',
  notFound: addressScopeNotFound,
  fields: {
    name: { kind: 'string', required: true, put: true, convert: toStr(255) },
    shared: { kind: 'bool', put: true, adminOnly: true, convert: toBool, default: false },
    ip_version: {
      kind: 'int',
      required: true,
      convert: (v, a) => {
        const n = toInt(v, a);
        if (n !== 4 && n !== 6) throw invalidAttribute(a, `${n} is not in [4, 6]`);
        return n;
      },
    },
  },
  async beforeUpdate(_ctx, row, before) {
    // As upstream: once shared, an address scope stays shared (its subnet pools may be anyone's by then).
    if (before.shared && !row.shared) throw new ApiError(400, `Bad address_scope request: the shared address scope ${row.id} cannot be unshared.`, 'BadRequest');
  },
  async beforeDelete({ trx }, row) {
    const pool = await trx.selectFrom('subnetpools').select('id').where('address_scope_id', '=', row.id).executeTakeFirst();
    if (pool) {
      throw new ApiError(409, `Unable to complete operation on address scope ${row.id}. There are one or more subnet pools in use on the address scope.`, 'AddressScopeInUse');
    }
    await trx.deleteFrom('rbac_policies').where('object_type', '=', 'address_scope').where('object_id', '=', String(row.id)).execute();
  },
};
