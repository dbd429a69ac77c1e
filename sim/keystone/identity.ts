import { hexId } from '../common/ids.js';
import { SimServiceError } from '../types.js';

export interface Domain {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
}

export interface Project {
  id: string;
  name: string;
  domainId: string;
  description: string;
  enabled: boolean;
  tags: string[];
}

export interface User {
  id: string;
  name: string;
  domainId: string;
  password: string;
  enabled: boolean;
  email?: string;
  defaultProjectId?: string;
}

export interface Role {
  id: string;
  name: string;
}

/** A role granted to a user on a project or a domain. */
export interface Assignment {
  userId: string;
  roleId: string;
  projectId?: string;
  domainId?: string;
}

/** Roles that imply others, as Keystone's default bootstrap sets up (admin > member > reader). */
const IMPLIES: Record<string, string[]> = { admin: ['member'], member: ['reader'] };

/** Domains, projects, users, roles and their assignments of the simulated Keystone. */
export class IdentityStore {
  readonly domains = new Map<string, Domain>();
  readonly projects = new Map<string, Project>();
  readonly users = new Map<string, User>();
  readonly roles = new Map<string, Role>();
  assignments: Assignment[] = [];

  /** Seeds what a fresh devstack has: domain Default, projects admin/demo/service, users admin/demo. */
  constructor(password: string) {
    this.domains.set('default', {
      id: 'default',
      name: 'Default',
      description: 'The default domain',
      enabled: true,
    });
    const admin = this.addRole('admin');
    const member = this.addRole('member');
    this.addRole('reader');
    this.addRole('service');
    const adminProject = this.addProject('admin', 'default', 'Bootstrap project for initializing the cloud.');
    const demoProject = this.addProject('demo', 'default', '');
    this.addProject('service', 'default', '');
    const adminUser = this.addUser('admin', 'default', password);
    const demoUser = this.addUser('demo', 'default', password);
    this.grant({ userId: adminUser.id, roleId: admin.id, projectId: adminProject.id });
    this.grant({ userId: adminUser.id, roleId: admin.id, projectId: demoProject.id });
    this.grant({ userId: adminUser.id, roleId: admin.id, domainId: 'default' });
    this.grant({ userId: demoUser.id, roleId: member.id, projectId: demoProject.id });
  }

  addRole(name: string): Role {
    if (this.roleByName(name)) throw new SimServiceError(409, `Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);
    const role = { id: hexId(), name };
    this.roles.set(role.id, role);
    return role;
  }

  addProject(name: string, domainId: string, description = '', enabled = true): Project {
    this.domain(domainId);
    if (this.projectByName(name, domainId)) {
      throw new SimServiceError(409, `Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${name}.`);
    }
    const project = { id: hexId(), name, domainId, description, enabled, tags: [] };
    this.projects.set(project.id, project);
    return project;
  }

  addUser(name: string, domainId: string, password: string, extra: Partial<User> = {}): User {
    this.domain(domainId);
    if (this.userByName(name, domainId)) {
      throw new SimServiceError(409, `Conflict occurred attempting to store user - Duplicate entry found with name ${name} at domain ID ${domainId}.`);
    }
    const user: User = { enabled: true, ...extra, id: hexId(), name, domainId, password };
    this.users.set(user.id, user);
    return user;
  }

  grant(a: Assignment): void {
    if (!this.hasGrant(a)) this.assignments.push(a);
  }

  revoke(a: Assignment): boolean {
    const before = this.assignments.length;
    this.assignments = this.assignments.filter((x) => !sameGrant(x, a));
    return this.assignments.length !== before;
  }

  hasGrant(a: Assignment): boolean {
    return this.assignments.some((x) => sameGrant(x, a));
  }

  deleteProject(id: string): void {
    this.project(id);
    this.projects.delete(id);
    this.assignments = this.assignments.filter((a) => a.projectId !== id);
  }

  deleteUser(id: string): void {
    this.user(id);
    this.users.delete(id);
    this.assignments = this.assignments.filter((a) => a.userId !== id);
  }

  domain(id: string): Domain {
    const d = this.domains.get(id);
    if (!d) throw new SimServiceError(404, `Could not find domain: ${id}.`);
    return d;
  }

  project(id: string): Project {
    const p = this.projects.get(id);
    if (!p) throw new SimServiceError(404, `Could not find project: ${id}.`);
    return p;
  }

  user(id: string): User {
    const u = this.users.get(id);
    if (!u) throw new SimServiceError(404, `Could not find user: ${id}.`);
    return u;
  }

  role(id: string): Role {
    const r = this.roles.get(id);
    if (!r) throw new SimServiceError(404, `Could not find role: ${id}.`);
    return r;
  }

  domainByName(name: string): Domain | undefined {
    return [...this.domains.values()].find((d) => d.name === name);
  }

  projectByName(name: string, domainId: string): Project | undefined {
    return [...this.projects.values()].find((p) => p.name === name && p.domainId === domainId);
  }

  userByName(name: string, domainId: string): User | undefined {
    return [...this.users.values()].find((u) => u.name === name && u.domainId === domainId);
  }

  roleByName(name: string): Role | undefined {
    return [...this.roles.values()].find((r) => r.name === name);
  }

  /** Roles a user holds on a project or domain, with implied roles, in grant order. */
  effectiveRoles(userId: string, target: { projectId?: string; domainId?: string }): Role[] {
    const direct = this.assignments
      .filter((a) => a.userId === userId && (target.projectId ? a.projectId === target.projectId : a.domainId === target.domainId && !a.projectId))
      .map((a) => this.roles.get(a.roleId))
      .filter((r): r is Role => r !== undefined);
    const names = new Set<string>();
    const out: Role[] = [];
    const visit = (role: Role) => {
      if (names.has(role.name)) return;
      names.add(role.name);
      out.push(role);
      for (const implied of IMPLIES[role.name] ?? []) {
        const r = this.roleByName(implied);
        if (r) visit(r);
      }
    };
    direct.forEach(visit);
    return out;
  }

  /** Projects on which the user holds at least one role. */
  projectsOf(userId: string): Project[] {
    const ids = new Set(this.assignments.filter((a) => a.userId === userId && a.projectId).map((a) => a.projectId));
    return [...this.projects.values()].filter((p) => ids.has(p.id));
  }

  /** Domains on which the user holds at least one role. */
  domainsOf(userId: string): Domain[] {
    const ids = new Set(this.assignments.filter((a) => a.userId === userId && a.domainId).map((a) => a.domainId));
    return [...this.domains.values()].filter((d) => ids.has(d.id));
  }
}

function sameGrant(a: Assignment, b: Assignment): boolean {
  return a.userId === b.userId && a.roleId === b.roleId && a.projectId === b.projectId && a.domainId === b.domainId;
}
