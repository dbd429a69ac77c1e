/** The 44 QoS routes: policies, the rules of each type under a policy, the alias rule routes, rule types. */
import type { FastifyInstance } from 'fastify';
import { contextOf, queryOf, registerCollection } from '../api/collection.js';
import type { NetworkDeps } from '../deps.js';
import { policyNotAuthorized } from '../errors.js';
import { resourceBody } from '../input.js';
import { paginationLinks, parseListParams, projectFields } from '../query.js';
import { RULE_TYPES } from './rules.js';
import { QOS_POLICY_LIST, qosErrors, ruleView, type QosService } from './service.js';

const fieldsOf = (query: URLSearchParams) =>
  query
    .getAll('fields')
    .flatMap((f) => f.split(','))
    .filter((f) => f !== '');

export function qosRoutes(app: FastifyInstance, deps: NetworkDeps, qos: QosService): void {
  registerCollection(app, {
    resource: 'policy',
    collection: 'policies',
    path: 'qos/policies',
    create: (ctx, items) => qos.createPolicies(ctx, items),
    async list(ctx, query) {
      const params = parseListParams(query, QOS_POLICY_LIST);
      const rows = await qos.listPolicies(ctx, params);
      const links = paginationLinks(`${deps.publicUrl()}/v2.0/qos/policies`, params, rows);
      return { policies: (await qos.views(rows)).map((v) => projectFields(v, params.fields)), ...(links?.length ? { policies_links: links } : {}) };
    },
    show: (ctx, id) => qos.showPolicy(ctx, id),
    update: (ctx, id, attrs) => qos.updatePolicy(ctx, id, attrs),
    remove: (ctx, id) => qos.deletePolicy(ctx, id),
  });

  type P = { Params: { policy: string; rule: string } };
  for (const t of RULE_TYPES) {
    const base = `/v2.0/qos/policies/:policy/${t.collection}`;
    app.post<P>(base, async (req, reply) => {
      const rule = await qos.createRule(contextOf(req), req.params.policy, t, resourceBody(req.body, t.member));
      reply.code(201);
      return { [t.member]: rule };
    });
    app.get<P>(base, async (req) => {
      const fields = fieldsOf(queryOf(req));
      const rows = await qos.listRules(contextOf(req), req.params.policy, t);
      return { [t.collection]: rows.map((r) => projectFields(ruleView(t, r), fields)) };
    });
    app.get<P>(`${base}/:rule`, async (req) => ({
      [t.member]: projectFields(await qos.showRule(contextOf(req), req.params.policy, t, req.params.rule), fieldsOf(queryOf(req))),
    }));
    app.put<P>(`${base}/:rule`, async (req) => ({
      [t.member]: await qos.updateRule(contextOf(req), req.params.policy, t, req.params.rule, resourceBody(req.body, t.member)),
    }));
    app.delete<P>(`${base}/:rule`, async (req, reply) => {
      await qos.deleteRule(contextOf(req), req.params.policy, t, req.params.rule);
      return reply.code(204).send();
    });

    if (!t.alias) continue;
    // qos-rules-alias: the same rules named by their own id, without their policy.
    const alias = `/v2.0/qos/alias_${t.collection}/:rule`;
    const member = `alias_${t.member}`;
    app.get<P>(alias, async (req) => {
      const ctx = contextOf(req);
      const policy = await qos.policyOfRule(ctx, t, req.params.rule);
      return { [member]: projectFields({ ...(await qos.showRule(ctx, policy, t, req.params.rule)), qos_policy_id: policy }, fieldsOf(queryOf(req))) };
    });
    app.put<P>(alias, async (req) => {
      const ctx = contextOf(req);
      const policy = await qos.policyOfRule(ctx, t, req.params.rule);
      return { [member]: { ...(await qos.updateRule(ctx, policy, t, req.params.rule, resourceBody(req.body, member))), qos_policy_id: policy } };
    });
    app.delete<P>(alias, async (req, reply) => {
      const ctx = contextOf(req);
      await qos.deleteRule(ctx, await qos.policyOfRule(ctx, t, req.params.rule), t, req.params.rule);
      return reply.code(204).send();
    });
  }

  app.get('/v2.0/qos/rule-types', async (req) => {
    const fields = fieldsOf(queryOf(req));
    return { rule_types: RULE_TYPES.map((t) => projectFields({ type: t.type }, fields)) };
  });
  app.get<{ Params: { type: string } }>('/v2.0/qos/rule-types/:type', async (req) => {
    if (!contextOf(req).isAdmin) throw policyNotAuthorized(['get_rule_type']);
    const t = RULE_TYPES.find((x) => x.type === req.params.type);
    if (!t) throw qosErrors.ruleTypeNotFound(req.params.type);
    const parameters = Object.keys(t.attrs).map((name) => ({ parameter_name: name, parameter_type: 'range', parameter_values: { start: 0, end: 2 ** 31 - 1 } }));
    if (t.directions.length) parameters.push({ parameter_name: 'direction', parameter_type: 'choices', parameter_values: t.directions as never });
    return { rule_type: { type: t.type, drivers: [{ name: 'tricircle', supported_parameters: parameters }] } };
  });
}
