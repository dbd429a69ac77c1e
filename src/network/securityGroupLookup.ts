/**
 * What ports need from security groups: the project's default group and a visibility check. The
 * security-group service (src/network/securityGroups) provides it; `tableSecurityGroupLookup` is the
 * stand-in over the same tables for when that service is not wired.
 */
import { randomUUID } from 'node:crypto';
import { dbNow, isUniqueViolation, type Db } from '../db/index.js';
import { notFound } from './errors.js';
import { inTransaction } from './tx.js';

export interface Caller {
  projectId: string;
  isAdmin: boolean;
}

export interface SecurityGroupLookup {
  /** The project's default group, created with its rules on first use; returns its id. */
  ensureDefaultSecurityGroup(projectId: string): Promise<string>;
  /** Resolves when `caller` may use the group; rejects with SecurityGroupNotFound (404) otherwise. */
  visibleGroup(caller: Caller, id: string): Promise<unknown>;
}

/** A lookup straight over security_groups and default_security_groups. */
export function tableSecurityGroupLookup(db: Db): SecurityGroupLookup {
  const defaultOf = async (projectId: string) =>
    (await db.kysely.selectFrom('default_security_groups').select('security_group_id').where('project_id', '=', projectId).executeTakeFirst())
      ?.security_group_id;
  return {
    async ensureDefaultSecurityGroup(projectId) {
      const existing = await defaultOf(projectId);
      if (existing) return existing;
      const id = randomUUID();
      try {
        await inTransaction(db, async (trx) => {
          const now = dbNow(db.dialect);
          await trx
            .insertInto('security_groups')
            .values({ id, project_id: projectId, name: 'default', description: 'Default security group', stateful: 1, revision_number: 1, created_at: now, updated_at: now })
            .execute();
          await trx.insertInto('default_security_groups').values({ project_id: projectId, security_group_id: id }).execute();
          const rules = (['IPv4', 'IPv6'] as const).flatMap((ethertype) => [
            { direction: 'ingress', ethertype, remote_group_id: id },
            { direction: 'egress', ethertype, remote_group_id: null },
          ]);
          await trx
            .insertInto('security_group_rules')
            .values(
              rules.map((r) => ({
                id: randomUUID(),
                project_id: projectId,
                security_group_id: id,
                remote_group_id: r.remote_group_id,
                remote_address_group_id: null,
                direction: r.direction,
                ethertype: r.ethertype,
                protocol: null,
                port_range_min: null,
                port_range_max: null,
                remote_ip_prefix: null,
                description: '',
                revision_number: 1,
                created_at: now,
                updated_at: now,
              })),
            )
            .execute();
        });
        return id;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const winner = await defaultOf(projectId);
        if (!winner) throw err;
        return winner;
      }
    },
    async visibleGroup(caller, id) {
      const row = await db.kysely.selectFrom('security_groups').select(['id', 'project_id']).where('id', '=', id).executeTakeFirst();
      if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw notFound.securityGroup(id);
      return row;
    },
  };
}
