/**
 * One pod's Neutron as the L3 jobs use it: the service account for every call (bottom routers belong
 * to the tenant's project but take provider and admin-only attributes), "already gone" as success.
 */
import {
  isBottomNotFound,
  type BottomCallContext,
  type BottomFloatingIp,
  type BottomPort,
  type BottomRoute,
  type BottomRouter,
  type BottomSubnet,
  type JsonObject,
  type NeutronApi,
} from '../../bottom/index.js';
import type { Pod } from '../../pods/index.js';

const ADMIN = { asAdmin: true } as const;

/** Device owners of router interface ports (centralized, DVR and HA variants). */
export const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];
export const ROUTER_GATEWAY_OWNER = 'network:router_gateway';

/** A router's external gateway as Neutron shows it. */
export interface BottomGateway {
  network_id: string;
  enable_snat?: boolean;
  external_fixed_ips?: { subnet_id: string; ip_address: string }[];
}

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (isBottomNotFound(err)) return null;
    throw err;
  }
}

export class PodL3 {
  constructor(
    readonly pod: Pod,
    private readonly api: NeutronApi,
    private readonly ctx: BottomCallContext,
  ) {}

  // routers
  getRouter(id: string): Promise<BottomRouter | null> {
    return orNull(this.api.getRouter(this.ctx, id, ADMIN));
  }
  async routersNamed(name: string): Promise<BottomRouter[]> {
    return (await this.api.listRouters(this.ctx, { name }, ADMIN)).filter((r) => r.name === name);
  }
  createRouter(body: JsonObject): Promise<BottomRouter> {
    return this.api.createRouter(this.ctx, body, ADMIN);
  }
  updateRouter(id: string, body: JsonObject): Promise<BottomRouter> {
    return this.api.updateRouter(this.ctx, id, body, ADMIN);
  }
  async deleteRouter(id: string): Promise<void> {
    await orNull(this.api.deleteRouter(this.ctx, id, ADMIN));
  }
  async setRoutes(id: string, routes: BottomRoute[]): Promise<void> {
    await this.api.updateRouterRoutes(this.ctx, id, routes, ADMIN);
  }
  async setGateway(id: string, gateway: BottomGateway | null): Promise<void> {
    await this.api.updateRouter(this.ctx, id, { external_gateway_info: gateway ?? {} }, ADMIN);
  }
  async addInterface(routerId: string, ref: { subnet_id: string } | { port_id: string }): Promise<void> {
    await this.api.addRouterInterface(this.ctx, routerId, ref, ADMIN);
  }
  /** Removes an interface; one that is already gone counts as removed. */
  async removeInterface(routerId: string, ref: { subnet_id: string } | { port_id: string }): Promise<void> {
    await orNull(this.api.removeRouterInterface(this.ctx, routerId, ref, ADMIN));
  }
  /** The router's interface and gateway ports. */
  routerPorts(routerId: string): Promise<BottomPort[]> {
    return this.api.listPorts(this.ctx, { device_id: routerId }, ADMIN);
  }

  // ports and subnets
  getPort(id: string): Promise<BottomPort | null> {
    return orNull(this.api.getPort(this.ctx, id, ADMIN));
  }
  async portsNamed(name: string, networkId: string): Promise<BottomPort[]> {
    return (await this.api.listPorts(this.ctx, { name, network_id: networkId }, ADMIN)).filter((p) => p.name === name && p.network_id === networkId);
  }
  createPort(body: JsonObject): Promise<BottomPort> {
    return this.api.createPort(this.ctx, body, ADMIN);
  }
  async deletePort(id: string): Promise<void> {
    await orNull(this.api.deletePort(this.ctx, id, ADMIN));
  }
  async subnets(ids: string[]): Promise<BottomSubnet[]> {
    if (ids.length === 0) return [];
    return this.api.listSubnets(this.ctx, { id: ids }, ADMIN);
  }
  async deleteSubnet(id: string): Promise<void> {
    await orNull(this.api.deleteSubnet(this.ctx, id, ADMIN));
  }
  async deleteNetwork(id: string): Promise<void> {
    await orNull(this.api.deleteNetwork(this.ctx, id, ADMIN));
  }

  // floating IPs
  getFloatingIp(id: string): Promise<BottomFloatingIp | null> {
    return orNull(this.api.getFloatingIp(this.ctx, id, ADMIN));
  }
  floatingIps(query: Record<string, string>): Promise<BottomFloatingIp[]> {
    return this.api.listFloatingIps(this.ctx, query, ADMIN);
  }
  createFloatingIp(body: JsonObject): Promise<BottomFloatingIp> {
    return this.api.createFloatingIp(this.ctx, body, ADMIN);
  }
  updateFloatingIp(id: string, body: JsonObject): Promise<BottomFloatingIp> {
    return this.api.updateFloatingIp(this.ctx, id, body, ADMIN);
  }
  async deleteFloatingIp(id: string): Promise<void> {
    await orNull(this.api.deleteFloatingIp(this.ctx, id, ADMIN));
  }
}
