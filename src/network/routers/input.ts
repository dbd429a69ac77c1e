/** Router request bodies: the router itself, its gateway, its routes and the interface actions. */
import { badResourceRequest, invalidAttribute } from '../errors.js';
import { canonicalIp, formatIp, parseCidr } from '../ip.js';
import { isObject, parseAttributes, pyRepr, pyStr, toBoolean, toStr, toStringList, type AttrSpec, type Json } from '../input.js';
import type { FixedIpRequest } from '../ports/ipam.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export interface GatewayRequest {
  networkId: string;
  enableSnat?: boolean;
  externalFixedIps?: FixedIpRequest[];
}

export interface Route {
  destination: string;
  nexthop: string;
}

const GATEWAY_KEYS = ['network_id', 'enable_snat', 'external_fixed_ips'];

/** external_gateway_info: a dict with network_id, or null / {} for "no gateway". */
function gatewayInfo(value: unknown, attr: string): GatewayRequest | null {
  if (value === null || (isObject(value) && Object.keys(value).length === 0)) return null;
  if (!isObject(value)) throw invalidAttribute(attr, `'${pyStr(value)}' is not a dictionary`);
  if (!('network_id' in value)) {
    throw invalidAttribute(
      attr,
      `Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: {${Object.keys(value)
        .map((k) => pyRepr(k))
        .join(', ')}}`,
    );
  }
  const unexpected = Object.keys(value).filter((k) => !GATEWAY_KEYS.includes(k));
  if (unexpected.length) throw invalidAttribute(attr, `Unexpected keys supplied: ${unexpected.join(', ')}`);
  if (!isUuid(value.network_id)) throw invalidAttribute(attr, `'${pyStr(value.network_id)}' is not a valid UUID`);
  const out: GatewayRequest = { networkId: value.network_id };
  if (value.enable_snat !== undefined && value.enable_snat !== null) {
    try {
      out.enableSnat = toBoolean(value.enable_snat);
    } catch {
      throw invalidAttribute(attr, `'${pyStr(value.enable_snat)}' is not a valid boolean value`);
    }
  }
  if (value.external_fixed_ips !== undefined && value.external_fixed_ips !== null) out.externalFixedIps = externalFixedIps(value.external_fixed_ips, attr);
  return out;
}

function externalFixedIps(value: unknown, attr: string): FixedIpRequest[] {
  if (!Array.isArray(value)) throw invalidAttribute(attr, `Invalid data format for fixed IP: '${pyStr(value)}'`);
  const seen = new Set<string>();
  return value.map((item) => {
    if (!isObject(item) || Object.keys(item).some((k) => k !== 'ip_address' && k !== 'subnet_id') || (item.ip_address === undefined && item.subnet_id === undefined)) {
      throw invalidAttribute(attr, `Invalid data format for fixed IP: '${pyStr(item)}'`);
    }
    const req: FixedIpRequest = {};
    if (item.ip_address !== undefined) {
      const ip = canonicalIp(item.ip_address);
      if (ip === undefined) throw invalidAttribute(attr, `'${pyStr(item.ip_address)}' is not a valid IP address`);
      if (seen.has(ip)) throw invalidAttribute(attr, `Duplicate IP address '${ip}'`);
      seen.add(ip);
      req.ipAddress = ip;
    }
    if (item.subnet_id !== undefined) {
      if (!isUuid(item.subnet_id)) throw invalidAttribute(attr, `'${pyStr(item.subnet_id)}' is not a valid UUID`);
      req.subnetId = item.subnet_id;
    }
    return req;
  });
}

/** Router routes (extraroute): a list of {destination, nexthop}; null means none. Destinations are canonicalised. */
export function parseRoutes(value: unknown, attr = 'routes'): Route[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidAttribute(attr, `Invalid data format for hostroute: '${pyStr(value)}'`);
  const out: Route[] = [];
  for (const item of value) {
    if (!isObject(item) || !('destination' in item) || !('nexthop' in item)) {
      const provided = isObject(item)
        ? `{${Object.keys(item)
            .map((k) => pyRepr(k))
            .join(', ')}}`
        : pyStr(item);
      throw invalidAttribute(attr, `Validation of dictionary's keys failed. Expected keys: {'destination', 'nexthop'} Provided keys: ${provided}`);
    }
    const extra = Object.keys(item).filter((k) => k !== 'destination' && k !== 'nexthop');
    if (extra.length) throw invalidAttribute(attr, `Unexpected keys supplied: ${extra.join(', ')}`);
    const dest = parseCidr(item.destination);
    if (!dest) throw invalidAttribute(attr, `'${pyStr(item.destination)}' is not a valid IP subnet`);
    const nexthop = canonicalIp(item.nexthop);
    if (nexthop === undefined) throw invalidAttribute(attr, `'${pyStr(item.nexthop)}' is not a valid IP address`);
    const route = { destination: `${formatIp(dest.version, dest.first)}/${dest.prefixLength}`, nexthop };
    if (out.some((r) => r.destination === route.destination && r.nexthop === route.nexthop)) {
      throw invalidAttribute(attr, `Duplicate hostroute '${pyRepr(route)}'`);
    }
    out.push(route);
  }
  return out;
}

const bool = (value: unknown): boolean => toBoolean(value);

const SPEC: Record<string, AttrSpec> = {
  name: { put: true, convert: toStr(255) },
  description: { put: true, convert: toStr(255) },
  admin_state_up: { put: true, convert: bool },
  external_gateway_info: { put: true, convert: gatewayInfo },
  routes: { post: false, put: true, convert: (v) => parseRoutes(v) },
  availability_zone_hints: { convert: toStringList(255) },
  distributed: { put: true, convert: bool },
  ha: { put: true, convert: bool },
  project_id: { convert: toStr(255) },
  tenant_id: { convert: toStr(255) },
};

export interface RouterPatch {
  name?: string;
  description?: string;
  adminStateUp?: boolean;
  /** undefined: untouched; null: no gateway. */
  gateway?: GatewayRequest | null;
  routes?: Route[];
  distributed?: boolean;
  ha?: boolean;
}

export interface RouterCreateInput extends Omit<RouterPatch, 'routes'> {
  project_id?: string;
  tenant_id?: string;
  azHints?: string[];
}

function patchOf(a: Json): RouterPatch {
  return {
    name: a.name as string | undefined,
    description: a.description as string | undefined,
    adminStateUp: a.admin_state_up as boolean | undefined,
    gateway: a.external_gateway_info as GatewayRequest | null | undefined,
    routes: a.routes as Route[] | undefined,
    distributed: a.distributed as boolean | undefined,
    ha: a.ha as boolean | undefined,
  };
}

export function parseRouterCreate(body: Json): RouterCreateInput {
  const a = parseAttributes(SPEC, body, 'create');
  const { routes: _routes, ...rest } = patchOf(a);
  return { ...rest, project_id: a.project_id as string | undefined, tenant_id: a.tenant_id as string | undefined, azHints: a.availability_zone_hints as string[] | undefined };
}

export function parseRouterUpdate(body: Json): RouterPatch {
  return patchOf(parseAttributes(SPEC, body, 'update'));
}

/** The body of add_router_interface / remove_router_interface: a subnet, a port, or (removal only) both. */
export function parseInterfaceRequest(body: unknown, forRemoval: boolean): { subnetId?: string; portId?: string } {
  const info = isObject(body) ? body : {};
  const hasPort = 'port_id' in info;
  const hasSubnet = 'subnet_id' in info;
  if (!hasPort && !hasSubnet) throw badResourceRequest('router', 'Either subnet_id or port_id must be specified');
  for (const key of ['port_id', 'subnet_id']) {
    if (key in info && !isUuid(info[key])) throw badResourceRequest('router', `'${pyStr(info[key])}' is not a valid UUID`);
  }
  if (!forRemoval && hasPort && hasSubnet) throw badResourceRequest('router', 'Cannot specify both subnet-id and port-id');
  return { subnetId: hasSubnet ? (info.subnet_id as string) : undefined, portId: hasPort ? (info.port_id as string) : undefined };
}

/** The body of add_extraroutes / remove_extraroutes: {"router": {"routes": [...]}}. */
export function parseExtraRoutesBody(body: unknown): Route[] {
  if (!isObject(body) || !isObject(body.router)) throw invalidAttribute('router', `'${pyStr(body)}' is not a dictionary`);
  const extra = Object.keys(body.router).filter((k) => k !== 'routes');
  if (extra.length) throw badResourceRequest('router', `Unrecognized attribute(s) '${extra.join(', ')}'`);
  if (!('routes' in body.router)) throw badResourceRequest('router', "Failed to parse request. Required attribute 'routes' not specified");
  return parseRoutes(body.router.routes);
}
