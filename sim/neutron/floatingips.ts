// Floating IPs: an address on an external network (held by a network:floatingip port), associated
// with an internal port's fixed IPv4 address through a router gatewayed on that external network.
import { descriptionAttr, enforceAttrPolicy, ownerOf, parseCreate, parseUpdate, projectAttrs, tagsAttr, validate, type AttrMap, type Body } from './attributes.js';
import { canSeeNetwork, canSeePort, type Ctx } from './context.js';
import type { Neutron } from './core.js';
import { badResourceRequest, conflict, notFound } from './errors.js';
import { canonicalIp, nextFreeIp, parseIp } from './ipam.js';
import { newId, type FloatingIpRec, type PortRec } from './state.js';
import { routerInterfaces } from './views.js';
import { SimServiceError } from '../types.js';

export const FLOATINGIP_ATTRS: AttrMap = {
  description: descriptionAttr,
  ...projectAttrs,
  floating_network_id: { required: true, validate: validate.uuid },
  floating_ip_address: { validate: validate.ip, policy: 'admin' },
  subnet_id: { default: null, validate: validate.uuidOrNone },
  port_id: { put: true, default: null, validate: validate.uuidOrNone },
  fixed_ip_address: { put: true, default: null, validate: validate.ipOrNone },
  tags: tagsAttr,
};

export class FloatingIpService {
  constructor(private readonly n: Neutron) {}

  private get state() {
    return this.n.state;
  }

  create(ctx: Ctx, body: Body): FloatingIpRec {
    const { values, explicit } = parseCreate(FLOATINGIP_ATTRS, body);
    enforceAttrPolicy('create_floatingip', FLOATINGIP_ATTRS, explicit, values, ctx);
    const projectId = ownerOf(values, ctx);
    const netId = values.floating_network_id as string;
    const net = this.state.networks.get(netId);
    if (!net || !canSeeNetwork(ctx, net)) throw notFound.network(netId);
    if (!net.external) throw badResourceRequest('floatingip', `Network ${netId} is not a valid external network`);
    if (values.fixed_ip_address !== null && values.port_id === null) {
      throw badResourceRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
    }

    const subnetId = values.subnet_id as string | null;
    const requestedIp = values.floating_ip_address as string | undefined;
    let fixedIps: { subnet_id?: string; ip_address?: string }[];
    if (subnetId !== null) {
      const subnet = this.state.subnets.get(subnetId);
      if (!subnet) throw notFound.subnet(subnetId);
      if (subnet.network_id !== netId) {
        throw badResourceRequest('floatingip', `Subnet ${subnetId} does not belong to network ${netId}`);
      }
      fixedIps = [{ subnet_id: subnetId, ...(requestedIp ? { ip_address: requestedIp } : {}) }];
    } else if (requestedIp !== undefined) {
      fixedIps = [{ ip_address: requestedIp }];
    } else {
      const v4 = this.state.subnetsOf(netId).filter((s) => s.ip_version === 4);
      if (!v4.length) throw badResourceRequest('floatingip', `Network ${netId} does not contain any IPv4 subnet`);
      const free = v4.find((s) =>
        nextFreeIp(
          4,
          s.allocation_pools.map((p) => ({ start: parseIp(p.start)!.value, end: parseIp(p.end)!.value })),
          this.state.usedIps(s.id).values,
        ),
      );
      if (!free) throw conflict.ipGenerationFailureNetwork(netId);
      fixedIps = [{ subnet_id: free.id }];
    }

    const id = newId();
    const port = this.n.ports.createServicePort(net, {
      projectId: '',
      deviceOwner: 'network:floatingip',
      deviceId: id,
      fixedIps,
      bound: false,
    });
    const address = port.fixed_ips.find((f) => parseIp(f.ip_address)?.version === 4) ?? port.fixed_ips[0];
    const fip: FloatingIpRec = this.state.stamp({
      id,
      project_id: projectId,
      description: values.description as string,
      floating_network_id: netId,
      floating_ip_address: address.ip_address,
      floating_port_id: port.id,
      port_id: null,
      fixed_ip_address: null,
      router_id: null,
      status: 'DOWN',
      tags: values.tags as string[],
      created_at: '',
      updated_at: '',
      revision_number: 0,
    });
    this.state.floatingips.set(id, fip);
    if (values.port_id !== null) {
      this.associate(ctx, fip, values.port_id as string, values.fixed_ip_address as string | null);
    }
    return fip;
  }

  update(ctx: Ctx, id: string, body: Body): FloatingIpRec {
    const fip = this.n.floatingip(ctx, id);
    this.n.requireOwner(ctx, fip, 'update_floatingip');
    const { values, explicit } = parseUpdate(FLOATINGIP_ATTRS, body);
    if ('port_id' in values) {
      if (values.port_id === null) {
        if (values.fixed_ip_address !== undefined && values.fixed_ip_address !== null) {
          throw badResourceRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
        }
        this.disassociate(fip, false);
      } else {
        this.associate(ctx, fip, values.port_id as string, (values.fixed_ip_address as string | null | undefined) ?? null);
      }
    } else if ('fixed_ip_address' in values && values.fixed_ip_address !== null) {
      if (!fip.port_id) throw badResourceRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
      this.associate(ctx, fip, fip.port_id, values.fixed_ip_address as string);
    }
    if ('description' in values) fip.description = values.description as string;
    if (explicit.length) this.state.touch(fip);
    return fip;
  }

  delete(ctx: Ctx, id: string): void {
    const fip = this.n.floatingip(ctx, id);
    this.n.requireOwner(ctx, fip, 'delete_floatingip');
    this.state.floatingips.delete(id);
    const port = this.state.ports.get(fip.floating_port_id);
    if (port) this.n.ports.remove(port);
  }

  disassociate(fip: FloatingIpRec, touch = true): void {
    fip.port_id = null;
    fip.fixed_ip_address = null;
    fip.router_id = null;
    fip.status = 'DOWN';
    if (touch) this.state.touch(fip);
  }

  /** Binds the floating IP to a port's fixed IPv4 address, through a router that reaches both sides. */
  private associate(ctx: Ctx, fip: FloatingIpRec, portId: string, fixedIp: string | null): void {
    const port = this.state.ports.get(portId);
    if (!port || !canSeePort(this.state, ctx, port)) throw notFound.port(portId);
    if (!ctx.isAdmin && port.project_id !== fip.project_id) {
      throw badResourceRequest('floatingip', `Cannot create floating IP and bind it to Port ${portId}, since that port is owned by a different tenant`);
    }
    if (port.device_owner.startsWith('network:')) {
      throw badResourceRequest('floatingip', `Port ${portId} has owner ${port.device_owner} and therefore cannot be associated with a floating IP`);
    }
    const internalIp = this.internalAddress(port, fixedIp);
    const subnet = this.state.subnets.get(internalIp.subnet_id)!;
    if (!subnet.gateway_ip) {
      throw badResourceRequest('floatingip', `Cannot add floating IP to port on subnet ${subnet.id} which has no gateway_ip`);
    }
    const router = [...this.state.routers.values()].find(
      (r) => r.gw_network_id === fip.floating_network_id && routerInterfaces(this.state, r.id).some((p) => p.fixed_ips.some((f) => f.subnet_id === subnet.id)),
    );
    if (!router) {
      throw new SimServiceError(
        404,
        `External network ${fip.floating_network_id} is not reachable from subnet ${subnet.id}.  Therefore, cannot associate Port ${portId} with a Floating IP.`,
        'ExternalGatewayForFloatingIPNotFound',
      );
    }
    const taken = [...this.state.floatingips.values()].some(
      (f) => f.id !== fip.id && f.port_id === portId && f.fixed_ip_address === internalIp.ip_address && f.floating_network_id === fip.floating_network_id,
    );
    if (taken) {
      throw conflict.fipPortAlreadyAssociated(fip.floating_ip_address, fip.id, portId, internalIp.ip_address, fip.floating_network_id);
    }
    fip.port_id = portId;
    fip.fixed_ip_address = internalIp.ip_address;
    fip.router_id = router.id;
    fip.status = 'ACTIVE';
  }

  private internalAddress(port: PortRec, fixedIp: string | null): { subnet_id: string; ip_address: string } {
    if (fixedIp !== null) {
      const ip = canonicalIp(fixedIp);
      const found = port.fixed_ips.find((f) => f.ip_address === ip);
      if (!found) throw badResourceRequest('floatingip', `Port ${port.id} does not have fixed ip ${fixedIp}`);
      if (parseIp(found.ip_address)!.version !== 4) {
        throw badResourceRequest('floatingip', `Cannot add floating IP to port ${port.id} that has no fixed IPv4 addresses`);
      }
      return found;
    }
    const v4 = port.fixed_ips.filter((f) => parseIp(f.ip_address)!.version === 4);
    if (!v4.length) {
      throw badResourceRequest('floatingip', `Cannot add floating IP to port ${port.id} that has no fixed IPv4 addresses`);
    }
    if (v4.length > 1) {
      throw badResourceRequest('floatingip', `Port ${port.id} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`);
    }
    return v4[0];
  }
}
