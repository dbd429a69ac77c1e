/** What the pod side reads of the top's sharing and QoS state (RBAC entries, QoS policies, ports' policies). */
import type { Db } from '../../db/index.js';
import { RULE_TYPES } from '../qos/rules.js';
import { parseJson } from '../tx.js';

export interface TopQosRule {
  /** The rule type's URL collection and body key in a pod's Neutron. */
  collection: string;
  member: string;
  type: string;
  /** The rule's attributes as a pod's Neutron takes them (direction included where the type has one). */
  body: Record<string, unknown>;
}

export interface TopQosPolicy {
  id: string;
  projectId: string;
  rules: TopQosRule[];
}

export interface TopSharing {
  /** The projects (not `*`) a network is shared with by `access_as_shared` entries. */
  networkShares(networkId: string): Promise<string[]>;
  /** A QoS policy with its rules; undefined once deleted. */
  qosPolicy(id: string): Promise<TopQosPolicy | undefined>;
  /** A port's QoS policy id (null: none); undefined once the port is deleted. */
  portQos(portId: string): Promise<{ projectId: string; qosPolicyId: string | null } | undefined>;
}

export function topSharing(db: Db): TopSharing {
  const k = db.kysely;
  return {
    async networkShares(networkId) {
      const rows = await k
        .selectFrom('rbac_policies')
        .select('target_project')
        .where('object_type', '=', 'network')
        .where('object_id', '=', networkId)
        .where('action', '=', 'access_as_shared')
        .where('target_project', '!=', '*')
        .execute();
      return rows.map((r) => r.target_project).sort();
    },
    async qosPolicy(id) {
      const p = await k.selectFrom('qos_policies').select(['id', 'project_id']).where('id', '=', id).executeTakeFirst();
      if (!p) return undefined;
      const rules = await k.selectFrom('qos_rules').selectAll().where('policy_id', '=', id).orderBy('id').execute();
      return {
        id: p.id,
        projectId: p.project_id,
        rules: rules.map((r) => {
          const t = RULE_TYPES.find((x) => x.type === r.rule_type)!;
          return {
            collection: t.collection,
            member: t.member,
            type: t.type,
            body: { ...parseJson<Record<string, unknown>>(r.params, {}), ...(t.directions.length ? { direction: r.direction } : {}) },
          };
        }),
      };
    },
    async portQos(portId) {
      const row = await k.selectFrom('ports').select(['project_id', 'qos_policy_id']).where('id', '=', portId).executeTakeFirst();
      return row ? { projectId: row.project_id, qosPolicyId: row.qos_policy_id ?? null } : undefined;
    },
  };
}
