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

export interface TopTrunk {
  id: string;
  projectId: string;
  portId: string;
  adminStateUp: boolean;
  subports: { portId: string; segmentationType: string; segmentationId: number }[];
}

export interface TopPortForwardings {
  floatingIp: { id: string; projectId: string; networkId: string; address: string };
  items: { id: string; internalPortId: string; internalIp: string; internal: [number, number]; external: [number, number]; protocol: string; description: string }[];
}

export interface TopSharing {
  /** A trunk with its subports; undefined once deleted. */
  trunk(id: string): Promise<TopTrunk | undefined>;
  /** A floating IP's port forwardings; undefined once the floating IP is deleted. */
  portForwardings(floatingIpId: string): Promise<TopPortForwardings | undefined>;
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
    async trunk(id) {
      const t = await k.selectFrom('trunks').selectAll().where('id', '=', id).executeTakeFirst();
      if (!t) return undefined;
      const subs = await k.selectFrom('trunk_subports').selectAll().where('trunk_id', '=', id).orderBy('port_id').execute();
      return {
        id: t.id,
        projectId: t.project_id,
        portId: t.port_id,
        adminStateUp: Boolean(t.admin_state_up),
        subports: subs.map((s) => ({ portId: s.port_id, segmentationType: s.segmentation_type, segmentationId: Number(s.segmentation_id) })),
      };
    },
    async portForwardings(floatingIpId) {
      const f = await k.selectFrom('floatingips').select(['id', 'project_id', 'floating_network_id', 'floating_ip_address']).where('id', '=', floatingIpId).executeTakeFirst();
      if (!f) return undefined;
      const rows = await k.selectFrom('port_forwardings').selectAll().where('floatingip_id', '=', floatingIpId).orderBy('id').execute();
      return {
        floatingIp: { id: f.id, projectId: f.project_id, networkId: f.floating_network_id, address: f.floating_ip_address },
        items: rows.map((r) => ({
          id: r.id,
          internalPortId: r.internal_port_id,
          internalIp: r.internal_ip_address,
          internal: [Number(r.internal_port_start), Number(r.internal_port_end)],
          external: [Number(r.external_port_start), Number(r.external_port_end)],
          protocol: r.protocol,
          description: r.description,
        })),
      };
    },
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
