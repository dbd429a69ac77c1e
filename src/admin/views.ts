import { isoSeconds } from '../db/index.js';
import type { Pod, PodBinding } from '../pods/index.js';
import type { Routing } from '../routing/index.js';

export function podView(pod: Pod, endpoints?: { serviceType: string; url: string; source: string }[]) {
  return {
    pod_id: pod.id,
    region_name: pod.regionName,
    az_name: pod.azName,
    pod_az_name: pod.podAzName,
    dc_name: pod.dcName,
    disabled: pod.disabled,
    health: pod.health,
    created_at: isoSeconds(pod.createdAt),
    updated_at: isoSeconds(pod.updatedAt),
    ...(endpoints ? { endpoints: Object.fromEntries(endpoints.filter((e) => e.source === 'override').map((e) => [e.serviceType, e.url])) } : {}),
  };
}

export function bindingView(b: PodBinding) {
  return {
    id: b.id,
    tenant_id: b.projectId,
    project_id: b.projectId,
    pod_id: b.podId,
    is_binding: b.isCurrent,
    created_at: isoSeconds(b.createdAt),
    updated_at: isoSeconds(b.updatedAt),
  };
}

export function routingView(r: Routing) {
  return {
    id: r.id,
    top_id: r.topId,
    bottom_id: r.bottomId,
    pod_id: r.podId,
    project_id: r.projectId,
    resource_type: r.resourceType,
    created_at: isoSeconds(r.createdAt),
    updated_at: isoSeconds(r.updatedAt),
  };
}
