/**
 * The resources described as data (src/network/simple): segments, segment ranges, address scopes and
 * groups, local IPs, conntrack helpers, NDP proxies, logs, metering, flavors, default security group
 * rules; and the read-mostly resources beside them (IP availability, service providers). Built once by
 * module.ts; `register` adds their routes.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../common/index.js';
import { addressGroupSpec, addressesOf } from './addressGroups/spec.js';
import { AgentService } from './agents/service.js';
import { addressScopeSpec } from './addressScopes/spec.js';
import { contextOf, queryOf } from './api/collection.js';
import { applyListInMemory } from './api/memoryList.js';
import { defaultRuleSpec, statefulnessSpec } from './defaultRules/spec.js';
import type { NetworkDeps } from './deps.js';
import type { Caller } from './policy.js';
import { badRequest, policyNotAuthorized } from './errors.js';
import { flavorSpec, profileNotFound, serviceProfileSpec } from './flavors/spec.js';
import { isObject, toUuid } from './input.js';
import { IpAvailabilityService } from './ipAvailability/service.js';
import { localIpAssociationSpec, localIpSpec } from './localIps/spec.js';
import { LOGGABLE_RESOURCES, logSpec } from './logging/spec.js';
import { meteringLabelSpec, meteringRuleSpec } from './metering/spec.js';
import { conntrackHelperSpec, ndpProxySpec } from './routerExtras/spec.js';
import { syncDefaultRanges } from './segmentRanges/ranges.js';
import { segmentRangeSpec } from './segmentRanges/spec.js';
import { segmentSpec } from './segments/spec.js';
import { onboardNetworkSubnets } from './subnetpools/onboard.js';
import { simpleResourceRoutes } from './simple/routes.js';
import { SimpleResourceService } from './simple/service.js';
import type { SimpleResourceSpec } from './simple/spec.js';
import { inTransaction } from './tx.js';

/** Views of top networks and routers (what the agent schedulers answer with); 404 when not visible. */
export interface TopViews {
  network(caller: Caller, id: string): Promise<Record<string, unknown>>;
  router(caller: Caller, id: string): Promise<Record<string, unknown>>;
}

export interface Breadth {
  /** Kit services by URL collection (for the tag API). */
  readonly tagged: Map<string, SimpleResourceService>;
  register(app: FastifyInstance, publicUrl: () => string): void;
}

/** The service providers of the top: the L3 service in the pods' routers (no other service type is served). */
const SERVICE_PROVIDERS = [{ service_type: 'L3_ROUTER_NAT', name: 'tricircle', default: true }];

const projectFieldsOf = (view: Record<string, unknown>, fields: string[]) => (fields.length ? Object.fromEntries(fields.filter((f) => f in view).map((f) => [f, view[f]])) : view);

const fieldsOf = (query: URLSearchParams) =>
  query
    .getAll('fields')
    .flatMap((f) => f.split(','))
    .filter((f) => f !== '');

export function buildBreadth(deps: NetworkDeps, views: TopViews): Breadth {
  const kit = (spec: SimpleResourceSpec) => new SimpleResourceService(deps, spec);
  const ranges = kit(segmentRangeSpec(deps.settings, (trx) => syncDefaultRanges(deps.db, deps.settings, trx)));
  const segments = kit(segmentSpec(deps.db, deps.settings));
  const addressScopes = kit(addressScopeSpec);
  const addressGroups = kit(addressGroupSpec);
  const localIps = kit(localIpSpec);
  const localIpAssociations = kit(localIpAssociationSpec);
  const conntrackHelpers = kit(conntrackHelperSpec);
  const ndpProxies = kit(ndpProxySpec);
  const logs = kit(logSpec);
  const meteringLabels = kit(meteringLabelSpec);
  const meteringRules = kit(meteringRuleSpec);
  const flavors = kit(flavorSpec);
  const profiles = kit(serviceProfileSpec);
  const defaultRules = kit(defaultRuleSpec);
  const statefulness = kit(statefulnessSpec);
  const all = [
    ranges,
    segments,
    addressScopes,
    addressGroups,
    localIps,
    localIpAssociations,
    conntrackHelpers,
    ndpProxies,
    logs,
    meteringLabels,
    meteringRules,
    flavors,
    profiles,
    defaultRules,
    statefulness,
  ];
  const ipAvailability = new IpAvailabilityService(deps.db);
  const agents = new AgentService(deps);
  const tagged = new Map<string, SimpleResourceService>();
  for (const s of all) if (s.spec.tagType && !s.spec.parent) tagged.set(s.spec.path, s);

  return {
    tagged,
    register(app, publicUrl) {
      for (const s of all) simpleResourceRoutes(app, s, publicUrl);

      type P = { Params: { id: string; child?: string } };
      const changeAddresses = (mode: 'add' | 'remove') => async (req: import('fastify').FastifyRequest<P>) => {
        const caller = contextOf(req);
        const wanted = addressesOf(req.body);
        await inTransaction(deps.db, async (trx) => {
          const row = addressGroups.fromColumns(await addressGroups.find(trx, caller, req.params.id));
          await addressGroups.requireModify(trx, caller, row, `update_address_group`);
          const current = row.addresses as string[];
          if (mode === 'add') {
            const present = wanted.filter((a) => current.includes(a));
            if (present.length)
              throw new ApiError(400, `Addresses ${JSON.stringify(present).replace(/"/g, "'")} already exist in the address group ${row.id}.`, 'AddressesAlreadyExist');
            await addressGroups.touch(trx, row.id, { addresses: [...current, ...wanted] });
          } else {
            const missing = wanted.filter((a) => !current.includes(a));
            if (missing.length) throw new ApiError(404, `Addresses ${JSON.stringify(missing).replace(/"/g, "'")} not found in the address group ${row.id}.`, 'AddressesNotFound');
            await addressGroups.touch(trx, row.id, { addresses: current.filter((a) => !wanted.includes(a)) });
          }
        });
        return { address_group: await addressGroups.show(caller, req.params.id) };
      };
      app.put<P>('/v2.0/address-groups/:id/add_addresses', changeAddresses('add'));
      app.put<P>('/v2.0/address-groups/:id/remove_addresses', changeAddresses('remove'));

      // Binding a service profile to a flavor (admin only).
      app.post<P>('/v2.0/flavors/:id/service_profiles', async (req, reply) => {
        const caller = contextOf(req);
        if (!caller.isAdmin) throw policyNotAuthorized(['create_flavor_service_profile']);
        const body = req.body;
        if (!isObject(body) || !isObject(body.service_profile)) throw badRequest('Resource body required');
        const profileId = toUuid(body.service_profile.id, 'id');
        await inTransaction(deps.db, async (trx) => {
          const flavor = flavors.fromColumns(await flavors.find(trx, caller, req.params.id));
          await profiles.find(trx, caller, profileId).catch(() => {
            throw profileNotFound(profileId);
          });
          const bound = flavor.service_profiles as string[];
          if (bound.includes(profileId)) {
            throw new ApiError(409, `Service Profile ${profileId} is already associated with flavor ${flavor.id}.`, 'FlavorServiceProfileBindingExists');
          }
          await flavors.touch(trx, flavor.id, { service_profiles: [...bound, profileId] });
        });
        reply.code(201);
        return { service_profile: { id: profileId } };
      });
      app.delete<P>('/v2.0/flavors/:id/service_profiles/:child', async (req, reply) => {
        const caller = contextOf(req);
        if (!caller.isAdmin) throw policyNotAuthorized(['delete_flavor_service_profile']);
        await inTransaction(deps.db, async (trx) => {
          const flavor = flavors.fromColumns(await flavors.find(trx, caller, req.params.id));
          const bound = flavor.service_profiles as string[];
          const child = req.params.child ?? '';
          if (!bound.includes(child)) {
            throw new ApiError(404, `Service Profile ${child} is not associated with flavor ${flavor.id}.`, 'FlavorServiceProfileBindingNotFound');
          }
          await flavors.touch(trx, flavor.id, { service_profiles: bound.filter((p) => p !== child) });
        });
        return reply.code(204).send();
      });

      app.put<P>('/v2.0/subnetpools/:id/onboard_network_subnets', async (req) => onboardNetworkSubnets(deps.db, contextOf(req), req.params.id, req.body));

      app.get('/v2.0/log/loggable-resources', async (req) => ({ loggable_resources: applyListInMemory(LOGGABLE_RESOURCES, queryOf(req), ['type']) }));
      app.get('/v2.0/service-providers', async (req) => ({
        service_providers: applyListInMemory(SERVICE_PROVIDERS, queryOf(req), ['service_type', 'name', 'default']),
      }));
      app.get('/v2.0/network-ip-availabilities', async (req) => ipAvailability.list(contextOf(req), queryOf(req)));
      // Agents and schedulers, from the pods.
      const call = (req: import('fastify').FastifyRequest) => ({
        requestId: contextOf(req).requestId,
        ...(contextOf(req).globalRequestId ? { globalRequestId: contextOf(req).globalRequestId } : {}),
      });
      const unavailable = (reply: import('fastify').FastifyReply, pods: string[]) => {
        if (pods.length) reply.header('x-tricircle-unavailable-pods', pods.join(', '));
      };
      app.get('/v2.0/agents', async (req, reply) => {
        const got = await agents.list(contextOf(req), call(req), queryOf(req));
        unavailable(reply, got.unavailable);
        return { agents: got.items };
      });
      app.get<P>('/v2.0/agents/:id', async (req) => ({ agent: projectFieldsOf(await agents.show(contextOf(req), call(req), req.params.id), fieldsOf(queryOf(req))) }));
      app.put<P>('/v2.0/agents/:id', async (req) => ({ agent: await agents.update(contextOf(req), call(req), req.params.id, req.body) }));
      app.delete<P>('/v2.0/agents/:id', async (req, reply) => {
        await agents.remove(contextOf(req), call(req), req.params.id);
        return reply.code(204).send();
      });
      for (const kind of ['network', 'router'] as const) {
        const sub = kind === 'network' ? 'dhcp-networks' : 'l3-routers';
        const key = kind === 'network' ? 'network_id' : 'router_id';
        const view = (caller: Caller, id: string) => (kind === 'network' ? views.network(caller, id) : views.router(caller, id));
        app.get<P>(`/v2.0/agents/:id/${sub}`, async (req) => {
          const ids = await agents.hosted(contextOf(req), call(req), req.params.id, kind);
          const items = (await Promise.all(ids.map((id) => view(contextOf(req), id).catch(() => undefined)))).filter((v) => v !== undefined);
          return { [kind === 'network' ? 'networks' : 'routers']: items };
        });
        app.post<P>(`/v2.0/agents/:id/${sub}`, async (req, reply) => {
          const body = req.body;
          if (!isObject(body) || typeof body[key] !== 'string') throw badRequest(`Failed to parse request. Required attribute '${key}' not specified`);
          const topId = body[key] as string;
          await view(contextOf(req), topId);
          await agents.schedule(contextOf(req), call(req), req.params.id, kind, topId, true);
          return reply.code(201).send();
        });
        app.delete<P>(`/v2.0/agents/:id/${sub}/:child`, async (req, reply) => {
          await view(contextOf(req), req.params.child ?? '');
          await agents.schedule(contextOf(req), call(req), req.params.id, kind, req.params.child ?? '', false);
          return reply.code(204).send();
        });
        app.get<P>(kind === 'network' ? '/v2.0/networks/:id/dhcp-agents' : '/v2.0/routers/:id/l3-agents', async (req, reply) => {
          await view(contextOf(req), req.params.id);
          const got = await agents.agentsHosting(contextOf(req), call(req), kind, req.params.id);
          unavailable(reply, got.unavailable);
          return { agents: got.items };
        });
      }

      app.get<P>('/v2.0/network-ip-availabilities/:id', async (req) => ipAvailability.show(contextOf(req), req.params.id, fieldsOf(queryOf(req))));
    },
  };
}
