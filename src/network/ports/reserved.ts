/**
 * Tricircle's own top ports behind a pod's copy of a network: the network's DHCP port (one for every
 * pod, so the DHCP address and MAC are the same everywhere) and a pod's gateway port on a subnet of a
 * network that spans pods (its address is the gateway that pod's copy of the subnet announces).
 */
import type { Db } from '../../db/index.js';
import type { Network } from '../networks/model.js';
import type { Subnet } from '../subnets/model.js';
import { inTransaction, lockRow } from '../tx.js';
import { allocateAddresses, ipamSubnetsOf, planAllocations } from './ipam.js';
import type { Port } from './model.js';
import type { PortService } from './service.js';

/** reserved_for key of a network's DHCP port, shared by every pod (same IPs and MAC everywhere). */
export const dhcpPortKey = (networkId: string): string => `dhcp:${networkId}`;

/** reserved_for key of a pod's own gateway address on a subnet (networks that span pods). */
export const gatewayPortKey = (podId: string, subnetId: string): string => `interface:${podId}:${subnetId}`;

/**
 * device_id of a pod's gateway reservation: the port is no router's interface (a tenant cannot attach
 * it to a router, 409 PortInUse) and says what it is. It lives as long as the pod's copy of its subnet,
 * which announces its address as gateway, and goes with the subnet.
 */
export const RESERVED_GATEWAY_DEVICE = 'reserved_gateway_port';

/** The port allocator of the pods' copies: the reserved ports a copy of a network needs. */
export interface ReservedPorts {
  /**
   * The network's DHCP port, holding one address on each of `dhcpSubnets` (the DHCP-enabled subnets).
   * Addresses are only ever added, never replaced, so concurrent callers that know different subnets
   * cannot undo each other.
   */
  dhcpPort(network: Network, dhcpSubnets: Subnet[]): Promise<Port>;
  /** This pod's gateway address on the subnet (made on first use, the same afterwards). */
  gatewayAddress(podId: string, network: Network, subnet: Subnet): Promise<string>;
}

export class TopReservedPorts implements ReservedPorts {
  constructor(
    private readonly db: Db,
    private readonly ports: PortService,
  ) {}

  /**
   * The network's DHCP port, holding one address on each of `dhcpSubnets` (the DHCP-enabled subnets).
   * Addresses are only ever added here, never replaced, so concurrent callers that know different
   * subnets cannot undo each other.
   */
  async dhcpPort(network: Network, dhcpSubnets: Subnet[]): Promise<Port> {
    let port = await this.ports.ensureReservedPort({
      key: dhcpPortKey(network.id),
      networkId: network.id,
      subnetId: dhcpSubnets[0].id,
      projectId: network.projectId,
      deviceOwner: 'network:dhcp',
      name: '',
    });
    const missing = dhcpSubnets.filter((s) => !port.fixedIps.some((f) => f.subnetId === s.id));
    if (missing.length > 0) {
      await this.addAddresses(
        port,
        missing.map((s) => s.id),
      );
      [port] = await this.ports.topPorts([port.id]);
    }
    return port;
  }

  /** This pod's gateway address on the subnet (made on first use, the same afterwards). */
  async gatewayAddress(podId: string, network: Network, subnet: Subnet): Promise<string> {
    const port = await this.ports.ensureReservedPort({
      key: gatewayPortKey(podId, subnet.id),
      networkId: network.id,
      subnetId: subnet.id,
      projectId: network.projectId,
      deviceOwner: 'network:router_interface',
      name: '',
      deviceId: RESERVED_GATEWAY_DEVICE,
    });
    const ip = port.fixedIps.find((f) => f.subnetId === subnet.id)?.ipAddress;
    if (ip === undefined) throw new Error(`gateway port ${port.id} holds no address on subnet ${subnet.id}`);
    return ip;
  }

  private async addAddresses(port: Port, subnetIds: string[]): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      if (!(await lockRow(this.db, trx, 'ports', port.id))) return;
      const held = await trx.selectFrom('ip_allocations').select('subnet_id').where('port_id', '=', port.id).execute();
      const wanted = subnetIds.filter((id) => !held.some((h) => h.subnet_id === id));
      if (wanted.length === 0) return;
      const subnets = await ipamSubnetsOf(trx, port.networkId);
      const steps = planAllocations(
        port.networkId,
        subnets,
        wanted.map((subnetId) => ({ subnetId })),
        port.deviceOwner,
      );
      await allocateAddresses(this.db, trx, port.id, port.macAddress, steps);
    });
  }
}
