/**
 * `PUT /v2.0/subnetpools/{id}/onboard_network_subnets` (extension subnet_onboard): the subnets of a
 * network that belong to no pool join the pool; their CIDRs become prefixes of the pool (merged),
 * within the pool's address scope rules. Top state only: the pods' copies of the subnets do not change.
 */
import { dbNow, type Db } from '../../db/index.js';
import { checkPoolScope } from '../addressScopes/link.js';
import { badRequest, notFound } from '../errors.js';
import { isObject, toUuid } from '../input.js';
import { formatCidr, mergeCidrs, parseCidr, rangesOverlap } from '../ip.js';
import { visibleNetwork } from '../networks/service.js';
import { requireOwner, type Caller } from '../policy.js';
import { inTransaction, lockRow, parseJson } from '../tx.js';
import { visibleSubnetpool } from './service.js';

export async function onboardNetworkSubnets(db: Db, caller: Caller, poolId: string, body: unknown): Promise<{ network_id: string; subnetpool_id: string; cidrs: string[] }> {
  if (!isObject(body) || body.network_id === undefined) throw badRequest("Failed to parse request. Required attribute 'network_id' not specified");
  const networkId = toUuid(body.network_id, 'network_id');
  return inTransaction(db, async (trx) => {
    const pool = await trx.selectFrom('subnetpools').selectAll('subnetpools').where('subnetpools.id', '=', poolId).where(visibleSubnetpool(caller)).executeTakeFirst();
    if (!pool) throw notFound.subnetpool(poolId);
    requireOwner(caller, pool.project_id, 'onboard_network_subnets');
    const network = await trx.selectFrom('networks').select('networks.id').where('networks.id', '=', networkId).where(visibleNetwork(caller)).executeTakeFirst();
    if (!network) throw notFound.network(networkId);
    await lockRow(db, trx, 'subnetpools', poolId);
    const subnets = await trx
      .selectFrom('subnets')
      .select(['id', 'cidr', 'subnetpool_id'])
      .where('network_id', '=', networkId)
      .where('ip_version', '=', Number(pool.ip_version))
      .execute();
    const foreign = subnets.filter((s) => s.subnetpool_id !== null && s.subnetpool_id !== poolId);
    if (foreign.length) throw badRequest(`Subnet ${foreign[0].id} already belongs to subnet pool ${foreign[0].subnetpool_id}; it cannot be onboarded`);
    const joining = subnets.filter((s) => s.subnetpool_id === null);
    const inPool = await trx.selectFrom('subnets').select(['id', 'cidr']).where('subnetpool_id', '=', poolId).execute();
    for (const s of joining) {
      const c = parseCidr(s.cidr)!;
      const clash = inPool.find((p) => rangesOverlap(c, parseCidr(p.cidr)!));
      if (clash) throw badRequest(`Subnet ${s.id} (${s.cidr}) overlaps subnet ${clash.id} of the pool; it cannot be onboarded`);
    }
    const cidrs = joining.map((s) => s.cidr);
    if (joining.length) {
      const prefixes = mergeCidrs([...parseJson<string[]>(pool.prefixes, []), ...cidrs].map((p) => parseCidr(p)!)).map(formatCidr);
      await checkPoolScope(trx, caller, pool.address_scope_id, Number(pool.ip_version), prefixes, poolId);
      await trx
        .updateTable('subnetpools')
        .set((eb) => ({ prefixes: JSON.stringify(prefixes), revision_number: eb('revision_number', '+', 1), updated_at: dbNow(db.dialect) }))
        .where('id', '=', poolId)
        .execute();
      await trx
        .updateTable('subnets')
        .set((eb) => ({ subnetpool_id: poolId, revision_number: eb('revision_number', '+', 1), updated_at: dbNow(db.dialect) }))
        .where(
          'id',
          'in',
          joining.map((s) => s.id),
        )
        .execute();
    }
    return { network_id: networkId, subnetpool_id: poolId, cidrs };
  });
}
