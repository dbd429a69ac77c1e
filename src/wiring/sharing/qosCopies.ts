/**
 * A pod's copy of a top QoS policy: made (through the routing lock, named by the top id) the first
 * time a port or network that uses the policy is copied into the pod, with the top's rules; `sync`
 * brings an existing copy's rules to the top's (the `qos_policy_sync` job).
 */
import type { BottomCallContext, NeutronApi } from '../../bottom/index.js';
import { isBottomNotFound } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import type { TopQosPolicy, TopSharing } from '../../network/index.js';
import type { Pod } from '../../pods/index.js';
import type { RoutingLock } from '../../routing/index.js';
import { bottomName, ensureCopy } from '../prepare/index.js';

export type QosNeutron = Pick<NeutronApi, 'listQosPolicies' | 'getQosPolicy' | 'createQosPolicy' | 'deleteQosPolicy' | 'createQosRule' | 'deleteQosRule'>;

const ADMIN = { asAdmin: true } as const;

export interface QosCopyDeps {
  lock: Pick<RoutingLock, 'getOrCreateBottom'>;
  sharing: Pick<TopSharing, 'qosPolicy'>;
  neutronOf: (pod: Pod) => QosNeutron;
  logger?: Logger;
}

/** The rule's identity within a policy (a policy has one rule per type and direction). */
const ruleKey = (type: string, direction: unknown) => `${type}/${direction ?? ''}`;

export class QosCopies {
  constructor(private readonly deps: QosCopyDeps) {}

  /** The id of the policy's copy in the pod (made with its rules when missing); 404-free for a deleted policy: throws. */
  async ensureInPod(ctx: BottomCallContext, pod: Pod, policyId: string): Promise<string> {
    const top = await this.deps.sharing.qosPolicy(policyId);
    if (!top) throw new Error(`QoS policy ${policyId} is gone from the top`);
    const neutron = this.deps.neutronOf(pod);
    const copy = await ensureCopy(
      this.deps.lock,
      {
        kind: 'qos_policy',
        topId: policyId,
        pod,
        projectId: top.projectId,
        create: async () => (await neutron.createQosPolicy(ctx, { name: bottomName(policyId), project_id: top.projectId }, ADMIN)).id,
        find: async () => (await neutron.listQosPolicies(ctx, { name: bottomName(policyId) }, ADMIN)).filter((p) => p.name === bottomName(policyId)).map((p) => p.id),
        remove: (id) => ignoreNotFound(neutron.deleteQosPolicy(ctx, id, ADMIN)),
      },
      this.deps.logger,
    );
    if (copy.created) await this.syncRules(ctx, pod, copy.bottomId, top);
    return copy.bottomId;
  }

  /** Makes the copy's rules the top's: rules that differ are replaced, missing ones made, extra ones removed. */
  async syncRules(ctx: BottomCallContext, pod: Pod, bottomId: string, top: TopQosPolicy): Promise<void> {
    const neutron = this.deps.neutronOf(pod);
    const bottom = await neutron.getQosPolicy(ctx, bottomId, ADMIN);
    const have = (Array.isArray(bottom.rules) ? bottom.rules : []) as { id: string; type: string; direction?: string; [k: string]: unknown }[];
    const want = new Map(top.rules.map((r) => [ruleKey(r.type, r.body.direction), r]));
    for (const rule of have) {
      const wanted = want.get(ruleKey(rule.type, rule.direction));
      const same = wanted && Object.entries(wanted.body).every(([k, v]) => rule[k] === v);
      if (same) {
        want.delete(ruleKey(rule.type, rule.direction));
        continue;
      }
      await ignoreNotFound(neutron.deleteQosRule(ctx, bottomId, `${rule.type}_rules`, rule.id, ADMIN));
    }
    for (const r of want.values()) await neutron.createQosRule(ctx, bottomId, r.collection, r.member, r.body, ADMIN);
  }
}

export async function ignoreNotFound(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!isBottomNotFound(err)) throw err;
  }
}

/**
 * What a boot does besides the copies of the boot path: a network shared with the server's project by
 * RBAC is shared with that project in the pod too (else the project could not use the copy), and the
 * network's QoS policy is put on the copy.
 */
export class BootSharing {
  constructor(
    private readonly qos: QosCopies,
    private readonly neutronOf: (pod: Pod) => Pick<NeutronApi, 'listRbacPolicies' | 'createRbacPolicy' | 'updateNetwork'>,
  ) {}

  async prepareNetwork(
    ctx: BottomCallContext,
    pod: Pod,
    network: { id: string; projectId: string; shared: boolean; external: boolean; qosPolicyId: string | null },
    bottomNetworkId: string,
    userProject: string,
  ): Promise<void> {
    const neutron = this.neutronOf(pod);
    if (userProject !== network.projectId && !network.shared && !network.external) {
      const entries = await neutron.listRbacPolicies(ctx, { object_id: bottomNetworkId, target_tenant: userProject }, ADMIN);
      if (!entries.some((e) => e.object_id === bottomNetworkId && e.target_tenant === userProject && e.action === 'access_as_shared')) {
        await neutron.createRbacPolicy(ctx, { object_type: 'network', object_id: bottomNetworkId, action: 'access_as_shared', target_tenant: userProject }, ADMIN);
      }
    }
    if (network.qosPolicyId !== null) {
      const bottomPolicy = await this.qos.ensureInPod(ctx, pod, network.qosPolicyId);
      await neutron.updateNetwork(ctx, bottomNetworkId, { qos_policy_id: bottomPolicy }, ADMIN);
    }
  }

  /** The pod's copy of the port's QoS policy, or undefined when the port has none. */
  async portPolicy(ctx: BottomCallContext, pod: Pod, port: { qosPolicyId: string | null }): Promise<string | undefined> {
    return port.qosPolicyId === null ? undefined : this.qos.ensureInPod(ctx, pod, port.qosPolicyId);
  }
}
