// Routers (L3 plugin): external gateway with its gateway port, interfaces by subnet or by port,
// extra routes with upstream's nexthop validation, and the atomic add/remove of extra routes.
import {
  convert,
  descriptionAttr,
  enforceAttrPolicy,
  nameAttr,
  ownerOf,
  parseCreate,
  parseUpdate,
  projectAttrs,
  tagsAttr,
  validate,
  type AttrMap,
  type Body,
} from './attributes.js';
import type { Ctx } from './context.js';
import type { Neutron } from './core.js';
import { bad, badRequest, badResourceRequest, conflict, invalidAttr, notFound, pyRepr } from './errors.js';
import { canonicalIp, cidrContains, cidrsOverlap, parseIp } from './ipam.js';
import { ROUTER_INTERFACE_OWNERS } from './ports.js';
import { newId, type PortRec, type Route, type RouterRec, type SubnetRec } from './state.js';
import { subnetCidr } from './subnets.js';
import { routerInterfaces } from './views.js';
import { SimServiceError } from '../types.js';

const GATEWAY_KEYS = ['network_id', 'enable_snat', 'external_fixed_ips'];

function validateGatewayInfo(v: unknown): string | undefined {
  if (v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return `'${pyRepr(v)}' is not a dictionary`;
  const info = v as Body;
  if (Object.keys(info).length === 0) return undefined;
  const unexpected = Object.keys(info).filter((k) => !GATEWAY_KEYS.includes(k));
  if (unexpected.length) return `Unexpected keys supplied: ${unexpected.join(', ')}`;
  if (!('network_id' in info)) {
    return `Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: {${Object.keys(info)
      .map((k) => `'${k}'`)
      .join(', ')}}`;
  }
  const netErr = validate.uuid(info.network_id);
  if (netErr) return netErr;
  if ('external_fixed_ips' in info && info.external_fixed_ips !== null) {
    const r = validate.fixedIps(info.external_fixed_ips);
    if (r) return r;
  }
  return undefined;
}

function convertGatewayInfo(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'enable_snat' in v) {
    return { ...(v as Body), enable_snat: convert.bool((v as Body).enable_snat) };
  }
  return v;
}

export const ROUTER_ATTRS: AttrMap = {
  name: nameAttr,
  description: descriptionAttr,
  ...projectAttrs,
  admin_state_up: { put: true, default: true, convert: convert.bool },
  external_gateway_info: {
    put: true,
    default: null,
    convert: convertGatewayInfo,
    validate: validateGatewayInfo,
    policy: 'owner',
    subPolicy: { network_id: 'owner', enable_snat: 'admin', external_fixed_ips: 'admin' },
  },
  // Upstream defaults are "not specified": even `false` from a non-admin is refused by policy.
  distributed: { put: true, convert: convert.bool, policy: 'admin' },
  ha: { put: true, convert: convert.bool, policy: 'admin' },
  availability_zone_hints: { default: [], convert: convert.noneToEmptyList, validate: validate.stringList(255) },
  routes: { post: false, put: true, convert: convert.noneToEmptyList, validate: validate.hostRoutes },
  flavor_id: { default: null, validate: validate.uuidOrNone },
  tags: tagsAttr,
};

export interface InterfaceInfo {
  id: string;
  tenant_id: string;
  project_id: string;
  port_id: string;
  network_id: string;
  subnet_id: string;
  subnet_ids: string[];
}

export class RouterService {
  constructor(private readonly n: Neutron) {}

  private get state() {
    return this.n.state;
  }

  create(ctx: Ctx, body: Body): RouterRec {
    const { values, explicit } = parseCreate(ROUTER_ATTRS, body);
    enforceAttrPolicy('create_router', ROUTER_ATTRS, explicit, values, ctx);
    const projectId = ownerOf(values, ctx);
    if (values.flavor_id !== null) {
      throw new SimServiceError(404, `Flavor ${values.flavor_id as string} could not be found.`, 'FlavorNotFound');
    }
    for (const az of values.availability_zone_hints as string[]) {
      if (!this.state.config.availabilityZones.includes(az)) throw notFound.availabilityZone(az);
    }
    const router: RouterRec = this.state.stamp({
      id: newId(),
      project_id: projectId,
      name: values.name as string,
      description: values.description as string,
      admin_state_up: values.admin_state_up as boolean,
      status: 'ACTIVE',
      distributed: (values.distributed as boolean | undefined) ?? false,
      ha: (values.ha as boolean | undefined) ?? false,
      availability_zone_hints: values.availability_zone_hints as string[],
      gw_port_id: null,
      gw_network_id: null,
      enable_snat: true,
      routes: [],
      tags: values.tags as string[],
      created_at: '',
      updated_at: '',
      revision_number: 0,
    });
    this.state.routers.set(router.id, router);
    this.setGateway(ctx, router, values.external_gateway_info as Body | null);
    return router;
  }

  update(ctx: Ctx, id: string, body: Body): RouterRec {
    const router = this.n.router(ctx, id);
    this.n.requireOwner(ctx, router, 'update_router');
    const { values, explicit } = parseUpdate(ROUTER_ATTRS, body);
    enforceAttrPolicy('update_router', ROUTER_ATTRS, explicit, values, ctx);
    if ('external_gateway_info' in values) this.setGateway(ctx, router, values.external_gateway_info as Body | null);
    if ('routes' in values) {
      const routes = values.routes as Route[];
      this.validateRoutes(router, routes);
      router.routes = routes.map((r) => ({ destination: r.destination, nexthop: canonicalIp(r.nexthop)! }));
    }
    if ('name' in values) router.name = values.name as string;
    if ('description' in values) router.description = values.description as string;
    if ('admin_state_up' in values) router.admin_state_up = values.admin_state_up as boolean;
    if ('distributed' in values) router.distributed = values.distributed as boolean;
    if ('ha' in values) router.ha = values.ha as boolean;
    if (explicit.length) this.state.touch(router);
    return router;
  }

  delete(ctx: Ctx, id: string): void {
    const router = this.n.router(ctx, id);
    this.n.requireOwner(ctx, router, 'delete_router');
    if (routerInterfaces(this.state, id).length) throw conflict.routerInUse(id);
    if ([...this.state.floatingips.values()].some((f) => f.router_id === id)) {
      throw conflict.gatewayInUseByFloatingIp(id, router.gw_network_id ?? '');
    }
    this.removeGatewayPort(router);
    this.state.routers.delete(id);
  }

  addInterface(ctx: Ctx, id: string, body: unknown): InterfaceInfo {
    const router = this.n.router(ctx, id);
    this.n.requireOwner(ctx, router, 'add_router_interface');
    const info = this.interfaceBody(body);
    if (info.port_id !== undefined && info.subnet_id !== undefined) {
      throw badResourceRequest('router', 'Cannot specify both subnet-id and port-id');
    }
    let port: PortRec;
    if (info.port_id !== undefined) {
      port = this.n.port(ctx, info.port_id);
      if (port.device_id !== '') throw conflict.portInUse(port.id, port.network_id, port.device_id);
      if (!port.fixed_ips.length) throw badResourceRequest('router', 'Router port must have at least one fixed IP');
      const subnets = port.fixed_ips.map((f) => this.state.subnets.get(f.subnet_id)!);
      if (subnets.filter((s) => s.ip_version === 4).length > 1) {
        throw badResourceRequest('router', 'Cannot have multiple IPv4 subnets on router port');
      }
      this.checkDuplicateSubnets(router, subnets);
      port.device_id = router.id;
      port.device_owner = 'network:router_interface';
      port.binding_host_id = this.state.config.networkHost;
      port.status = this.n.ports.statusOf(port);
      this.state.touch(port);
    } else {
      const subnet = this.n.subnet(ctx, info.subnet_id!);
      if (!subnet.gateway_ip) throw badResourceRequest('router', 'Subnet for router interface must have a gateway IP');
      this.checkDuplicateSubnets(router, [subnet]);
      const net = this.state.networks.get(subnet.network_id)!;
      port = this.n.ports.createServicePort(net, {
        projectId: subnet.project_id,
        deviceOwner: 'network:router_interface',
        deviceId: router.id,
        fixedIps: [{ subnet_id: subnet.id, ip_address: subnet.gateway_ip }],
        bound: true,
      });
    }
    this.state.touch(router);
    const subnetIds = port.fixed_ips.map((f) => f.subnet_id);
    return this.interfaceInfo(router, port, subnetIds);
  }

  removeInterface(ctx: Ctx, id: string, body: unknown): InterfaceInfo {
    const router = this.n.router(ctx, id);
    this.n.requireOwner(ctx, router, 'remove_router_interface');
    const info = this.interfaceBody(body);
    let port: PortRec | undefined;
    let removed: string[];
    if (info.port_id !== undefined) {
      port = this.state.ports.get(info.port_id);
      if (!port || port.device_id !== router.id || !ROUTER_INTERFACE_OWNERS.includes(port.device_owner)) {
        throw new SimServiceError(404, `Router ${router.id} does not have an interface with id ${info.port_id}`, 'RouterInterfaceNotFound');
      }
      if (info.subnet_id !== undefined && !port.fixed_ips.some((f) => f.subnet_id === info.subnet_id)) {
        throw new SimServiceError(400, `Subnet on port ${port.id} does not match the requested subnet ${info.subnet_id}.`, 'SubnetMismatchForPort');
      }
      removed = port.fixed_ips.map((f) => f.subnet_id);
    } else {
      const subnet = this.n.subnet(ctx, info.subnet_id!);
      port = routerInterfaces(this.state, router.id).find((p) => p.fixed_ips.some((f) => f.subnet_id === subnet.id));
      if (!port) {
        throw new SimServiceError(404, `Router ${router.id} has no interface on subnet ${subnet.id}`, 'RouterInterfaceNotFoundForSubnet');
      }
      removed = [subnet.id];
    }
    const removedSubnets = removed.map((s) => this.state.subnets.get(s)).filter((s): s is SubnetRec => !!s);
    for (const subnet of removedSubnets) {
      const cidr = subnetCidr(subnet);
      const usedByFip = [...this.state.floatingips.values()].some((f) => f.router_id === router.id && f.fixed_ip_address && cidrContains(cidr, parseIp(f.fixed_ip_address)!));
      if (usedByFip) throw conflict.routerInterfaceInUseByFloatingIP(subnet.id, router.id);
    }
    const leaving = port;
    const remainingCidrs = this.routerPorts(router)
      .flatMap((p) => p.fixed_ips.filter((f) => !(p.id === leaving.id && removed.includes(f.subnet_id))))
      .map((f) => this.state.subnets.get(f.subnet_id))
      .filter((s): s is SubnetRec => !!s)
      .map(subnetCidr);
    for (const subnet of removedSubnets) {
      const cidr = subnetCidr(subnet);
      for (const route of router.routes) {
        const hop = parseIp(route.nexthop)!;
        if (cidrContains(cidr, hop) && !remainingCidrs.some((c) => cidrContains(c, hop))) {
          throw conflict.routerInterfaceInUseByRoute(subnet.id, router.id);
        }
      }
    }
    const result = this.interfaceInfo(router, port, removed);
    if (port.fixed_ips.every((f) => removed.includes(f.subnet_id))) {
      this.n.ports.remove(port);
    } else {
      for (const f of port.fixed_ips.filter((x) => removed.includes(x.subnet_id))) {
        this.state.usedIps(f.subnet_id).delete(f.ip_address);
      }
      port.fixed_ips = port.fixed_ips.filter((f) => !removed.includes(f.subnet_id));
      this.state.touch(port);
    }
    this.state.touch(router);
    return result;
  }

  /** PUT /routers/{id}/add_extraroutes: the union of current and given routes, validated as a whole. */
  addExtraRoutes(ctx: Ctx, id: string, body: unknown): RouterRec {
    const router = this.n.router(ctx, id);
    this.n.requireOwner(ctx, router, 'add_extraroutes');
    const routes = this.extraRoutesBody(body);
    const merged = router.routes.map((r) => ({ ...r }));
    for (const r of routes) {
      const nexthop = canonicalIp(r.nexthop)!;
      if (!merged.some((m) => m.destination === r.destination && m.nexthop === nexthop)) {
        merged.push({ destination: r.destination, nexthop });
      }
    }
    this.validateRoutes(router, merged);
    router.routes = merged;
    this.state.touch(router);
    return router;
  }

  /** PUT /routers/{id}/remove_extraroutes: routes not present are ignored. */
  removeExtraRoutes(ctx: Ctx, id: string, body: unknown): RouterRec {
    const router = this.n.router(ctx, id);
    this.n.requireOwner(ctx, router, 'remove_extraroutes');
    const routes = this.extraRoutesBody(body);
    router.routes = router.routes.filter((m) => !routes.some((r) => r.destination === m.destination && canonicalIp(r.nexthop) === m.nexthop));
    this.state.touch(router);
    return router;
  }

  // ---------------------------------------------------------------- helpers

  private interfaceBody(body: unknown): { subnet_id?: string; port_id?: string } {
    if (body === undefined || body === null || body === '') throw badRequest('Resource body required');
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Body contains invalid data');
    const b = body as Body;
    const out: { subnet_id?: string; port_id?: string } = {};
    for (const key of ['subnet_id', 'port_id'] as const) {
      if (b[key] === undefined || b[key] === null) continue;
      const r = validate.uuid(b[key]);
      if (r) throw invalidAttr(key, r);
      out[key] = b[key] as string;
    }
    if (out.subnet_id === undefined && out.port_id === undefined) {
      throw badResourceRequest('router', 'Either subnet_id or port_id must be specified');
    }
    return out;
  }

  private extraRoutesBody(body: unknown): Route[] {
    if (body === undefined || body === null || body === '') throw badRequest('Resource body required');
    const router = (body as Body)?.router;
    if (typeof router !== 'object' || router === null || Array.isArray(router)) {
      throw badRequest("Unable to find 'router' in request body");
    }
    const extra = Object.keys(router).filter((k) => k !== 'routes');
    if (extra.length) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
    const routes = convert.noneToEmptyList((router as Body).routes);
    const reason = validate.hostRoutes(routes);
    if (reason) throw invalidAttr('routes', reason);
    return routes as Route[];
  }

  private interfaceInfo(router: RouterRec, port: PortRec, subnetIds: string[]): InterfaceInfo {
    return {
      id: router.id,
      tenant_id: port.project_id,
      project_id: port.project_id,
      port_id: port.id,
      network_id: port.network_id,
      subnet_id: subnetIds[0],
      subnet_ids: subnetIds,
    };
  }

  /** Every port of the router: interfaces and the gateway port. */
  private routerPorts(router: RouterRec): PortRec[] {
    return [...this.state.ports.values()].filter((p) => p.device_id === router.id && p.device_owner.startsWith('network:router'));
  }

  private checkDuplicateSubnets(router: RouterRec, newSubnets: SubnetRec[]): void {
    for (const port of routerInterfaces(this.state, router.id)) {
      for (const f of port.fixed_ips) {
        const existing = this.state.subnets.get(f.subnet_id);
        if (!existing) continue;
        for (const s of newSubnets) {
          if (existing.id === s.id) throw badResourceRequest('router', `Router already has a port on subnet ${s.id}`);
          if (cidrsOverlap(subnetCidr(existing), subnetCidr(s))) {
            throw badResourceRequest('router', `Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${existing.cidr} of subnet ${existing.id}`);
          }
        }
      }
    }
  }

  /** Extra routes: each nexthop must be on a subnet the router is connected to, and not the router itself. */
  private validateRoutes(router: RouterRec, routes: Route[]): void {
    const max = this.state.config.maxRoutes;
    if (routes.length > max) throw bad.routesExhausted(router.id, max);
    const fixedIps = this.routerPorts(router).flatMap((p) => p.fixed_ips);
    const cidrs = fixedIps
      .map((f) => this.state.subnets.get(f.subnet_id))
      .filter((s): s is SubnetRec => !!s)
      .map(subnetCidr);
    const ips = new Set(fixedIps.map((f) => f.ip_address));
    const shown = routes.map((r) => ({ destination: r.destination, nexthop: r.nexthop }));
    for (const route of routes) {
      const hop = parseIp(route.nexthop)!;
      if (!cidrs.some((c) => cidrContains(c, hop))) throw bad.invalidRoutes(shown, 'the nexthop is not connected with router');
      if (ips.has(canonicalIp(route.nexthop)!)) throw bad.invalidRoutes(shown, 'the nexthop is used by router');
    }
  }

  private removeGatewayPort(router: RouterRec): void {
    if (router.gw_port_id) {
      const port = this.state.ports.get(router.gw_port_id);
      if (port) this.n.ports.remove(port);
    }
    router.gw_port_id = null;
    router.gw_network_id = null;
  }

  /** Sets, changes or clears the external gateway (null or {} clears it). */
  private setGateway(ctx: Ctx, router: RouterRec, info: Body | null): void {
    const clearing = info === null || Object.keys(info).length === 0;
    const networkId = clearing ? null : (info!.network_id as string);
    if (router.gw_network_id && (clearing || networkId !== router.gw_network_id)) {
      if ([...this.state.floatingips.values()].some((f) => f.router_id === router.id)) {
        throw conflict.gatewayInUseByFloatingIp(router.id, router.gw_network_id);
      }
      this.removeGatewayPort(router);
    }
    if (clearing) {
      router.enable_snat = true;
      return;
    }
    const net = this.state.networks.get(networkId!);
    if (!net || !(ctx.isAdmin || net.project_id === ctx.projectId || net.shared || net.external)) {
      throw notFound.network(networkId!);
    }
    if (!net.external) throw badResourceRequest('router', `Network ${net.id} is not an external network`);
    const fixedIps = info!.external_fixed_ips as { subnet_id?: string; ip_address?: string }[] | undefined | null;
    if (router.gw_port_id) {
      const port = this.state.ports.get(router.gw_port_id)!;
      if (fixedIps) this.n.ports.reallocate(net, port, fixedIps);
    } else {
      const port = this.n.ports.createServicePort(net, {
        projectId: '',
        deviceOwner: 'network:router_gateway',
        deviceId: router.id,
        fixedIps: fixedIps ?? undefined,
        bound: true,
      });
      router.gw_port_id = port.id;
      router.gw_network_id = net.id;
    }
    if ('enable_snat' in info!) router.enable_snat = info!.enable_snat as boolean;
  }
}
