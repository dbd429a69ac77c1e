import type { Endpoint, Region, Service } from './catalog.js';
import type { Assignment, Domain, IdentityStore, Project, Role, User } from './identity.js';

/** Wire shapes of Keystone v3 resources; `base` is the Keystone URL without /v3. */
export class KeystoneViews {
  constructor(private readonly base: () => string) {}

  url(path: string): string {
    return `${this.base()}/v3${path}`;
  }

  collectionLinks(path: string, query = ''): { self: string; previous: null; next: null } {
    return { self: this.url(path) + query, previous: null, next: null };
  }

  domain(d: Domain): Record<string, unknown> {
    return { id: d.id, name: d.name, description: d.description, enabled: d.enabled, tags: [], options: {}, links: { self: this.url(`/domains/${d.id}`) } };
  }

  project(p: Project): Record<string, unknown> {
    return {
      id: p.id,
      name: p.name,
      domain_id: p.domainId,
      description: p.description,
      enabled: p.enabled,
      parent_id: p.domainId,
      is_domain: false,
      tags: p.tags,
      options: {},
      links: { self: this.url(`/projects/${p.id}`) },
    };
  }

  user(u: User): Record<string, unknown> {
    const body: Record<string, unknown> = {
      id: u.id,
      name: u.name,
      domain_id: u.domainId,
      enabled: u.enabled,
      password_expires_at: null,
      options: {},
      links: { self: this.url(`/users/${u.id}`) },
    };
    if (u.email !== undefined) body.email = u.email;
    if (u.defaultProjectId !== undefined) body.default_project_id = u.defaultProjectId;
    return body;
  }

  role(r: Role): Record<string, unknown> {
    return { id: r.id, name: r.name, domain_id: null, description: null, options: {}, links: { self: this.url(`/roles/${r.id}`) } };
  }

  region(r: Region): Record<string, unknown> {
    return { id: r.id, description: r.description, parent_region_id: r.parentRegionId, links: { self: this.url(`/regions/${r.id}`) } };
  }

  service(s: Service): Record<string, unknown> {
    return {
      id: s.id,
      type: s.type,
      name: s.name,
      description: s.description,
      enabled: s.enabled,
      links: { self: this.url(`/services/${s.id}`) },
    };
  }

  endpoint(e: Endpoint): Record<string, unknown> {
    return {
      id: e.id,
      interface: e.interface,
      region: e.regionId,
      region_id: e.regionId,
      service_id: e.serviceId,
      url: e.url,
      enabled: e.enabled,
      links: { self: this.url(`/endpoints/${e.id}`) },
    };
  }

  assignment(a: Assignment, identity: IdentityStore, withNames: boolean): Record<string, unknown> {
    const target = a.projectId ? `/projects/${a.projectId}` : `/domains/${a.domainId}`;
    const domainRef = (id: string) => ({ id, name: identity.domains.get(id)?.name ?? id });
    const user = identity.users.get(a.userId);
    const role = identity.roles.get(a.roleId);
    const project = a.projectId ? identity.projects.get(a.projectId) : undefined;
    let scope: Record<string, unknown>;
    if (a.projectId) {
      scope = { project: withNames && project ? { id: project.id, name: project.name, domain: domainRef(project.domainId) } : { id: a.projectId } };
    } else {
      scope = { domain: withNames ? domainRef(a.domainId!) : { id: a.domainId } };
    }
    return {
      links: { assignment: this.url(`${target}/users/${a.userId}/roles/${a.roleId}`) },
      role: withNames && role ? { id: role.id, name: role.name } : { id: a.roleId },
      scope,
      user: withNames && user ? { id: user.id, name: user.name, domain: domainRef(user.domainId) } : { id: a.userId },
    };
  }
}
