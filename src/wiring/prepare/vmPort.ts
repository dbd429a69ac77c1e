/** A server's port in a pod: a copy of the top port with the same MAC and addresses. */
import type { BottomCallContext, JsonObject } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import type { RoutingLock } from '../../routing/index.js';
import type { Port } from '../../network/index.js';
import { BottomNeutron, type NeutronOf } from './bottom.js';
import { ensureCopy } from './copy.js';
import { bottomName } from './names.js';
import { mappedAddresses, type PodNetwork } from './podNetwork.js';

export interface VmPortDeps {
  lock: Pick<RoutingLock, 'getOrCreateBottom'>;
  neutronOf: NeutronOf;
  logger?: Logger;
}

/**
 * The port's copy in the network's pod (made once, reused afterwards), with `bottomGroupIds` (the
 * pod's copies of the port's security groups). Returns the copy's id. `fresh`: the top port was made
 * by this boot, so the pod cannot hold a copy yet (saves a GET per boot).
 */
export async function ensureVmPort(
  deps: VmPortDeps,
  ctx: BottomCallContext,
  net: PodNetwork,
  port: Port,
  bottomGroupIds: string[],
  bottomQosPolicyId?: string,
  fresh = false,
): Promise<string> {
  const bottom = new BottomNeutron(deps.neutronOf(net.pod), ctx);
  const copy = await ensureCopy(
    deps.lock,
    {
      kind: 'port',
      topId: port.id,
      pod: net.pod,
      projectId: port.projectId,
      create: async () => (await bottom.createPort({ ...vmPortBody(port, net, bottomGroupIds), ...(bottomQosPolicyId ? { qos_policy_id: bottomQosPolicyId } : {}) })).id,
      find: async () => (await bottom.portsNamed(bottomName(port.id), net.bottomNetworkId)).map((p) => p.id),
      remove: (id) => bottom.deletePort(id),
      fresh,
    },
    deps.logger,
  );
  return copy.bottomId;
}

export function vmPortBody(port: Port, net: PodNetwork, bottomGroupIds: string[]): JsonObject {
  const fixedIps = mappedAddresses(port, net);
  if (fixedIps.length !== port.fixedIps.length) throw new Error(`port ${port.id} has addresses on subnets without a copy in pod ${net.pod.regionName}`);
  const body: JsonObject = {
    name: bottomName(port.id),
    network_id: net.bottomNetworkId,
    project_id: port.projectId,
    mac_address: port.macAddress,
    fixed_ips: fixedIps,
    admin_state_up: port.adminStateUp,
  };
  if (port.portSecurityEnabled) {
    // Always explicit: without it the pod would put its own default group on the port.
    body.security_groups = bottomGroupIds;
    if (port.allowedAddressPairs.length > 0) body.allowed_address_pairs = port.allowedAddressPairs;
  } else {
    body.port_security_enabled = false;
  }
  if (port.bindingVnicType !== 'normal') body['binding:vnic_type'] = port.bindingVnicType;
  if (port.extraDhcpOpts.length > 0) body.extra_dhcp_opts = port.extraDhcpOpts;
  return body;
}
