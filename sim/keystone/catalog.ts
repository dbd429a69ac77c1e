import { hexId } from '../common/ids.js';
import { SimServiceError } from '../types.js';

export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface Region {
  id: string;
  description: string;
  parentRegionId: string | null;
}

export interface Service {
  id: string;
  type: string;
  name: string;
  description: string;
  enabled: boolean;
}

export interface Endpoint {
  id: string;
  serviceId: string;
  regionId: string;
  interface: EndpointInterface;
  url: string;
  enabled: boolean;
}

export interface CatalogEntry {
  endpoints: { id: string; interface: string; region: string; region_id: string; url: string }[];
  id: string;
  type: string;
  name: string;
}

export const INTERFACES: readonly EndpointInterface[] = ['public', 'internal', 'admin'];

/** Regions, services and endpoints: the service catalog of the simulated Keystone. */
export class CatalogStore {
  readonly regions = new Map<string, Region>();
  readonly services = new Map<string, Service>();
  readonly endpoints = new Map<string, Endpoint>();

  addRegion(id: string, description = '', parentRegionId: string | null = null): Region {
    if (this.regions.has(id)) throw new SimServiceError(409, `Conflict occurred attempting to store region - Duplicate ID, ${id}.`);
    if (parentRegionId !== null) this.region(parentRegionId);
    const region = { id, description, parentRegionId };
    this.regions.set(id, region);
    return region;
  }

  ensureRegion(id: string): Region {
    return this.regions.get(id) ?? this.addRegion(id);
  }

  addService(type: string, name: string, description = '', enabled = true): Service {
    const service = { id: hexId(), type, name, description, enabled };
    this.services.set(service.id, service);
    return service;
  }

  ensureService(type: string, name: string): Service {
    return [...this.services.values()].find((s) => s.type === type && s.name === name) ?? this.addService(type, name);
  }

  addEndpoint(e: Omit<Endpoint, 'id'>): Endpoint {
    this.service(e.serviceId);
    this.region(e.regionId);
    const endpoint = { ...e, id: hexId() };
    this.endpoints.set(endpoint.id, endpoint);
    return endpoint;
  }

  region(id: string): Region {
    const r = this.regions.get(id);
    if (!r) throw new SimServiceError(404, `Could not find region: ${id}.`);
    return r;
  }

  service(id: string): Service {
    const s = this.services.get(id);
    if (!s) throw new SimServiceError(404, `Could not find service: ${id}.`);
    return s;
  }

  endpoint(id: string): Endpoint {
    const e = this.endpoints.get(id);
    if (!e) throw new SimServiceError(404, `Could not find endpoint: ${id}.`);
    return e;
  }

  deleteRegion(id: string): void {
    this.region(id);
    if ([...this.regions.values()].some((r) => r.parentRegionId === id)) {
      throw new SimServiceError(403, `Unable to delete region ${id} because it or its child regions have associated endpoints.`);
    }
    if ([...this.endpoints.values()].some((e) => e.regionId === id)) {
      throw new SimServiceError(403, `Unable to delete region ${id} because it or its child regions have associated endpoints.`);
    }
    this.regions.delete(id);
  }

  deleteService(id: string): void {
    this.service(id);
    this.services.delete(id);
    for (const e of this.endpoints.values()) if (e.serviceId === id) this.endpoints.delete(e.id);
  }

  deleteEndpoint(id: string): void {
    this.endpoint(id);
    this.endpoints.delete(id);
  }

  removeEndpoints(regionId: string, serviceType: string): void {
    for (const e of this.endpoints.values()) {
      if (e.regionId === regionId && this.services.get(e.serviceId)?.type === serviceType) this.endpoints.delete(e.id);
    }
  }

  /**
   * The catalog as a token carries it. `$(project_id)s` / `$(tenant_id)s` are filled in with the
   * scope's project; without a project, endpoints that need one are left out (as Keystone does).
   */
  render(projectId: string | undefined): CatalogEntry[] {
    const out: CatalogEntry[] = [];
    for (const s of this.services.values()) {
      if (!s.enabled) continue;
      const endpoints = [];
      for (const e of this.endpoints.values()) {
        if (e.serviceId !== s.id || !e.enabled) continue;
        const url = substitute(e.url, projectId);
        if (url === undefined) continue;
        endpoints.push({ id: e.id, interface: e.interface, region: e.regionId, region_id: e.regionId, url });
      }
      if (endpoints.length > 0) out.push({ endpoints, id: s.id, type: s.type, name: s.name });
    }
    return out;
  }
}

function substitute(url: string, projectId: string | undefined): string | undefined {
  if (!/\$\((project_id|tenant_id)\)s/.test(url)) return url;
  if (!projectId) return undefined;
  return url.replace(/\$\((project_id|tenant_id)\)s/g, projectId);
}
