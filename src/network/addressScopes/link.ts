/**
 * A subnet pool joining an address scope: the scope must be visible to the caller (404), of the pool's
 * IP version (400), and the pool's prefixes may not overlap another pool's in the same scope (400).
 */
import { ApiError } from '../../common/index.js';
import { parseCidr, rangesOverlap } from '../ip.js';
import type { Caller } from '../policy.js';
import { parseJson, type Trx } from '../tx.js';
import { rbacGrants } from '../rbac/service.js';
import { addressScopeNotFound } from './spec.js';

export async function checkPoolScope(trx: Trx, caller: Caller, scopeId: string | null, version: number, prefixes: string[], poolId: string): Promise<void> {
  if (scopeId === null) return;
  const scope = await trx.selectFrom('address_scopes').select(['id', 'project_id', 'shared', 'ip_version']).where('id', '=', scopeId).executeTakeFirst();
  const usable =
    scope && (caller.isAdmin || scope.project_id === caller.projectId || Number(scope.shared) === 1 || (await rbacGrants(trx, 'address_scope', scopeId, caller.projectId)));
  if (!scope || !usable) throw addressScopeNotFound(scopeId);
  if (Number(scope.ip_version) !== version) {
    throw new ApiError(
      400,
      `Illegal subnetpool association: subnetpool ${poolId} cannot be associated with address scope ${scopeId} because subnetpool ip_version is not ${scope.ip_version}.`,
      'IllegalSubnetPoolIpVersionAssociationToAddressScope',
    );
  }
  const others = await trx.selectFrom('subnetpools').select(['id', 'prefixes']).where('address_scope_id', '=', scopeId).where('id', '!=', poolId).execute();
  const mine = prefixes.map((p) => parseCidr(p)!);
  for (const other of others) {
    const theirs = parseJson<string[]>(other.prefixes, []).map((p) => parseCidr(p)!);
    if (mine.some((m) => theirs.some((t) => rangesOverlap(m, t)))) {
      throw new ApiError(
        400,
        `Illegal subnetpool association: subnetpool ${poolId} cannot be associated with address scope ${scopeId} because its prefixes overlap those of subnet pool ${other.id}.`,
        'IllegalSubnetPoolAssociationToAddressScope',
      );
    }
  }
}
