import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../identity/index.js';
import { checkIfMatch, ifMatchOf } from '../api/ifMatch.js';
import { bodyItems, resourceBody } from '../input.js';
import { parseListParams, paginationLinks, projectFields } from '../query.js';
import { GROUP_LIST_SCHEMA, RULE_LIST_SCHEMA, listGroups, listRules } from './listing.js';
import type { SecurityGroupService } from './service.js';
import { parseGroupCreate, parseGroupUpdate, parseRuleCreate } from './validation.js';
import { groupView, ruleView } from './views.js';

export interface SecurityGroupRouteOptions {
  service: SecurityGroupService;
  /** The service's public base URL, for pagination links. */
  publicUrl(): string;
}

type IdParams = { Params: { id: string } };

const contextOf = (req: FastifyRequest): RequestContext => req.context;

function queryOf(req: FastifyRequest): URLSearchParams {
  const i = req.url.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : req.url.slice(i + 1));
}

/** Fields asked for with `?fields=` on a show request. */
function showFields(req: FastifyRequest): string[] {
  return queryOf(req)
    .getAll('fields')
    .flatMap((f) => f.split(','))
    .filter((f) => f !== '');
}

/** /v2.0/security-groups and /v2.0/security-group-rules. Thin: parsing here, semantics in the service. */
export function securityGroupRoutes(app: FastifyInstance, opts: SecurityGroupRouteOptions): void {
  const { service } = opts;

  app.get('/v2.0/security-groups', async (req) => {
    const ctx = contextOf(req);
    const params = parseListParams(queryOf(req), GROUP_LIST_SCHEMA);
    // Neutron makes the listing project's default group on its first list.
    const named = params.filters.get('project_id')?.[0] ?? params.filters.get('tenant_id')?.[0];
    if (ctx.projectId && (!named || named === ctx.projectId)) await service.ensureDefaultSecurityGroup(ctx.projectId);
    else if (named && ctx.isAdmin) await service.ensureDefaultSecurityGroup(named);
    const groups = await service.withRules(await listGroups(service.store, ctx, params));
    const body: Record<string, unknown> = {
      security_groups: groups.map((g) => projectFields(groupView(g.group, g.rules, g.isDefault), params.fields)),
    };
    const links = paginationLinks(
      `${opts.publicUrl()}/v2.0/security-groups`,
      params,
      groups.map((g) => g.group),
    );
    if (links) body.security_groups_links = links;
    return body;
  });

  app.post('/v2.0/security-groups', async (req, reply) => {
    const ctx = contextOf(req);
    const { items, bulk } = bodyItems(req.body, 'security_group', 'security_groups');
    const inputs = items.map((item) => parseGroupCreate(item, ctx));
    const created = await service.createGroups(ctx, inputs);
    const views = created.map((g) => groupView(g.group, g.rules, g.isDefault));
    reply.code(201);
    return bulk ? { security_groups: views } : { security_group: views[0] };
  });

  // If-Match (revision-if-match), read just before the change.
  const revisionMatches = async (req: FastifyRequest<IdParams>) => {
    const header = ifMatchOf(req);
    if (header !== undefined) checkIfMatch(header, (await service.visibleGroup(contextOf(req), req.params.id)).revisionNumber);
  };

  app.get<IdParams>('/v2.0/security-groups/:id', async (req) => {
    const g = await service.getGroup(contextOf(req), req.params.id);
    return { security_group: projectFields(groupView(g.group, g.rules, g.isDefault), showFields(req)) };
  });

  app.put<IdParams>('/v2.0/security-groups/:id', async (req) => {
    const patch = parseGroupUpdate(resourceBody(req.body, 'security_group'));
    await revisionMatches(req);
    const g = await service.updateGroup(contextOf(req), req.params.id, patch);
    return { security_group: groupView(g.group, g.rules, g.isDefault) };
  });

  app.delete<IdParams>('/v2.0/security-groups/:id', async (req, reply) => {
    await revisionMatches(req);
    await service.deleteGroup(contextOf(req), req.params.id);
    return reply.code(204).send();
  });

  app.get('/v2.0/security-group-rules', async (req) => {
    const ctx = contextOf(req);
    const params = parseListParams(queryOf(req), RULE_LIST_SCHEMA);
    const rules = await listRules(service.store, ctx, params);
    const defaults = await service.store.defaultGroupIds([...new Set(rules.map((r) => r.securityGroupId))]);
    const body: Record<string, unknown> = {
      security_group_rules: rules.map((r) => projectFields(ruleView(r, defaults.has(r.securityGroupId)), params.fields)),
    };
    const links = paginationLinks(`${opts.publicUrl()}/v2.0/security-group-rules`, params, rules);
    if (links) body.security_group_rules_links = links;
    return body;
  });

  app.post('/v2.0/security-group-rules', async (req, reply) => {
    const ctx = contextOf(req);
    const { items, bulk } = bodyItems(req.body, 'security_group_rule', 'security_group_rules');
    const inputs = items.map((item) => parseRuleCreate(item, ctx));
    const { rules, inDefaultGroup } = await service.createRules(ctx, inputs);
    const views = rules.map((r) => ruleView(r, inDefaultGroup));
    reply.code(201);
    return bulk ? { security_group_rules: views } : { security_group_rule: views[0] };
  });

  app.get<IdParams>('/v2.0/security-group-rules/:id', async (req) => {
    const { rule, inDefaultGroup } = await service.getRule(contextOf(req), req.params.id);
    return { security_group_rule: projectFields(ruleView(rule, inDefaultGroup), showFields(req)) };
  });

  app.delete<IdParams>('/v2.0/security-group-rules/:id', async (req, reply) => {
    await service.deleteRule(contextOf(req), req.params.id);
    return reply.code(204).send();
  });
}
