import type { FastifyInstance } from 'fastify';
import { SimServiceError } from '../../types.js';
import { member, optBool, optString, queryFlag, queryOf, reqString, requireAdmin, requireAdminOr, type KeystoneContext } from '../context.js';
import type { Assignment } from '../identity.js';

type Params = { id: string };
type GrantParams = { target: string; user: string; role: string };

/** /v3/domains, /v3/projects, /v3/users, /v3/roles, role grants and /v3/role_assignments. */
export function identityRoutes(app: FastifyInstance, ctx: KeystoneContext): void {
  const { identity, views } = ctx;

  app.get('/v3/domains', async (req) => {
    requireAdmin(req, 'identity:list_domains');
    const q = queryOf(req);
    const domains = [...identity.domains.values()].filter(
      (d) => (q.name === undefined || d.name === q.name) && (q.enabled === undefined || String(d.enabled) === q.enabled.toLowerCase()),
    );
    return { domains: domains.map((d) => views.domain(d)), links: views.collectionLinks('/domains') };
  });
  app.get<{ Params: Params }>('/v3/domains/:id', async (req) => {
    const domain = identity.domain(req.params.id);
    requireAdminOr(req, 'identity:get_domain', (c) => c.domainId === domain.id);
    return { domain: views.domain(domain) };
  });

  app.get('/v3/projects', async (req) => {
    requireAdmin(req, 'identity:list_projects');
    const q = queryOf(req);
    const projects = [...identity.projects.values()].filter(
      (p) =>
        (q.name === undefined || p.name === q.name) &&
        (q.domain_id === undefined || p.domainId === q.domain_id) &&
        (q.enabled === undefined || String(p.enabled) === q.enabled.toLowerCase()),
    );
    return { projects: projects.map((p) => views.project(p)), links: views.collectionLinks('/projects') };
  });
  app.get<{ Params: Params }>('/v3/projects/:id', async (req) => {
    requireAdminOr(req, 'identity:get_project', (c) => c.projectId === req.params.id);
    return { project: views.project(identity.project(req.params.id)) };
  });
  app.post('/v3/projects', async (req, reply) => {
    requireAdmin(req, 'identity:create_project');
    const p = member(req.body, 'project');
    const project = identity.addProject(reqString(p, 'name'), optString(p, 'domain_id') ?? 'default', optString(p, 'description') ?? '', optBool(p, 'enabled') ?? true);
    return reply.code(201).send({ project: views.project(project) });
  });
  app.patch<{ Params: Params }>('/v3/projects/:id', async (req) => {
    requireAdmin(req, 'identity:update_project');
    const project = identity.project(req.params.id);
    const p = member(req.body, 'project');
    project.name = optString(p, 'name') ?? project.name;
    project.description = optString(p, 'description') ?? project.description;
    project.enabled = optBool(p, 'enabled') ?? project.enabled;
    return { project: views.project(project) };
  });
  app.delete<{ Params: Params }>('/v3/projects/:id', async (req, reply) => {
    requireAdmin(req, 'identity:delete_project');
    identity.deleteProject(req.params.id);
    return reply.code(204).send();
  });

  app.get('/v3/users', async (req) => {
    requireAdmin(req, 'identity:list_users');
    const q = queryOf(req);
    const users = [...identity.users.values()].filter(
      (u) =>
        (q.name === undefined || u.name === q.name) &&
        (q.domain_id === undefined || u.domainId === q.domain_id) &&
        (q.enabled === undefined || String(u.enabled) === q.enabled.toLowerCase()),
    );
    return { users: users.map((u) => views.user(u)), links: views.collectionLinks('/users') };
  });
  app.get<{ Params: Params }>('/v3/users/:id', async (req) => {
    requireAdminOr(req, 'identity:get_user', (c) => c.userId === req.params.id);
    return { user: views.user(identity.user(req.params.id)) };
  });
  app.get<{ Params: Params }>('/v3/users/:id/projects', async (req) => {
    requireAdminOr(req, 'identity:list_user_projects', (c) => c.userId === req.params.id);
    identity.user(req.params.id);
    return { projects: identity.projectsOf(req.params.id).map((p) => views.project(p)), links: views.collectionLinks(`/users/${req.params.id}/projects`) };
  });
  app.post('/v3/users', async (req, reply) => {
    requireAdmin(req, 'identity:create_user');
    const u = member(req.body, 'user');
    const defaultProjectId = optString(u, 'default_project_id');
    if (defaultProjectId !== undefined) identity.project(defaultProjectId);
    const user = identity.addUser(reqString(u, 'name'), optString(u, 'domain_id') ?? 'default', optString(u, 'password') ?? '', {
      enabled: optBool(u, 'enabled') ?? true,
      ...(optString(u, 'email') !== undefined && { email: optString(u, 'email') }),
      ...(defaultProjectId !== undefined && { defaultProjectId }),
    });
    return reply.code(201).send({ user: views.user(user) });
  });
  app.patch<{ Params: Params }>('/v3/users/:id', async (req) => {
    requireAdmin(req, 'identity:update_user');
    const user = identity.user(req.params.id);
    const u = member(req.body, 'user');
    user.name = optString(u, 'name') ?? user.name;
    user.password = optString(u, 'password') ?? user.password;
    user.enabled = optBool(u, 'enabled') ?? user.enabled;
    user.email = optString(u, 'email') ?? user.email;
    return { user: views.user(user) };
  });
  app.delete<{ Params: Params }>('/v3/users/:id', async (req, reply) => {
    requireAdmin(req, 'identity:delete_user');
    identity.deleteUser(req.params.id);
    return reply.code(204).send();
  });

  app.get('/v3/roles', async (req) => {
    requireAdmin(req, 'identity:list_roles');
    const q = queryOf(req);
    const roles = [...identity.roles.values()].filter((r) => q.name === undefined || r.name === q.name);
    return { roles: roles.map((r) => views.role(r)), links: views.collectionLinks('/roles') };
  });
  app.get<{ Params: Params }>('/v3/roles/:id', async (req) => {
    requireAdmin(req, 'identity:get_role');
    return { role: views.role(identity.role(req.params.id)) };
  });
  app.post('/v3/roles', async (req, reply) => {
    requireAdmin(req, 'identity:create_role');
    const role = identity.addRole(reqString(member(req.body, 'role'), 'name'));
    return reply.code(201).send({ role: views.role(role) });
  });

  for (const kind of ['projects', 'domains'] as const) {
    const grant = (p: GrantParams): Assignment => {
      identity.user(p.user);
      identity.role(p.role);
      if (kind === 'projects') {
        identity.project(p.target);
        return { userId: p.user, roleId: p.role, projectId: p.target };
      }
      identity.domain(p.target);
      return { userId: p.user, roleId: p.role, domainId: p.target };
    };
    const path = `/v3/${kind}/:target/users/:user/roles`;
    app.get<{ Params: Omit<GrantParams, 'role'> }>(path, async (req) => {
      requireAdmin(req, 'identity:list_grants');
      const roles = identity.assignments
        .filter((a) => a.userId === req.params.user && (kind === 'projects' ? a.projectId === req.params.target : a.domainId === req.params.target && !a.projectId))
        .map((a) => identity.role(a.roleId));
      return { roles: roles.map((r) => views.role(r)), links: views.collectionLinks(`/${kind}/${req.params.target}/users/${req.params.user}/roles`) };
    });
    app.put<{ Params: GrantParams }>(`${path}/:role`, async (req, reply) => {
      requireAdmin(req, 'identity:create_grant');
      identity.grant(grant(req.params));
      return reply.code(204).send();
    });
    // GET and HEAD both check a grant (Fastify derives HEAD from GET).
    app.get<{ Params: GrantParams }>(`${path}/:role`, async (req, reply) => {
      requireAdmin(req, 'identity:check_grant');
      if (!identity.hasGrant(grant(req.params))) throw grantNotFound(req.params);
      return reply.code(204).send();
    });
    app.delete<{ Params: GrantParams }>(`${path}/:role`, async (req, reply) => {
      requireAdmin(req, 'identity:revoke_grant');
      if (!identity.revoke(grant(req.params))) throw grantNotFound(req.params);
      return reply.code(204).send();
    });
  }

  app.get('/v3/role_assignments', async (req) => {
    requireAdmin(req, 'identity:list_role_assignments');
    const q = queryOf(req);
    const effective = queryFlag(q, 'effective');
    let list: Assignment[] = identity.assignments;
    if (effective) {
      list = list.flatMap((a) => identity.effectiveRoles(a.userId, a.projectId ? { projectId: a.projectId } : { domainId: a.domainId }).map((r) => ({ ...a, roleId: r.id })));
      list = list.filter((a, i) => list.findIndex((b) => b.userId === a.userId && b.roleId === a.roleId && b.projectId === a.projectId && b.domainId === a.domainId) === i);
    }
    list = list.filter(
      (a) =>
        (q['user.id'] === undefined || a.userId === q['user.id']) &&
        (q['role.id'] === undefined || a.roleId === q['role.id']) &&
        (q['scope.project.id'] === undefined || a.projectId === q['scope.project.id']) &&
        (q['scope.domain.id'] === undefined || (a.domainId === q['scope.domain.id'] && !a.projectId)) &&
        q['group.id'] === undefined,
    );
    return {
      role_assignments: list.map((a) => views.assignment(a, identity, queryFlag(q, 'include_names'))),
      links: views.collectionLinks('/role_assignments'),
    };
  });
}

function grantNotFound(p: GrantParams): SimServiceError {
  return new SimServiceError(404, `Could not find role assignment with role: ${p.role}, user or group: ${p.user}, project, domain, or system: ${p.target}.`);
}
