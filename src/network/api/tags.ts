/** The tag API (standard-attr-tag) on networks, subnets, ports, subnet pools and security groups. */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { NetworkDeps } from '../deps.js';
import { invalidAttribute, notFound } from '../errors.js';
import { isObject, pyStr, toList } from '../input.js';
import { visibleNetwork } from '../networks/service.js';
import { requireOwner, type Caller } from '../policy.js';
import { visiblePort } from '../ports/service.js';
import { visibleSubnetpool } from '../subnetpools/service.js';
import { visibleSubnet } from '../subnets/service.js';
import { replaceTags, tagsOf, type TaggedCollection } from '../tags.js';
import type { Trx } from '../tx.js';
import { contextOf } from './collection.js';
import { visibleFloatingIp } from '../floatingips/service.js';
import { l3NotFound } from '../routers/errors.js';
import { trunkErrors } from '../trunks/service.js';
import { qosErrors, qosPolicyVisible } from '../qos/service.js';
import { visibleRouter } from '../routers/service.js';
import type { SimpleResourceService } from '../simple/service.js';

const MAX_TAG_LENGTH = 60;

type Finder = (trx: Trx, caller: Caller, id: string) => Promise<string | undefined>;

/** Per URL collection: the resource_type, the not-found fault and the owner of a visible resource. */
const COLLECTIONS: Record<string, { type: TaggedCollection; missing: (id: string) => Error; owner: Finder }> = {
  networks: {
    type: 'networks',
    missing: notFound.network,
    owner: async (trx, caller, id) =>
      (await trx.selectFrom('networks').select('networks.project_id').where('networks.id', '=', id).where(visibleNetwork(caller)).executeTakeFirst())?.project_id,
  },
  subnets: {
    type: 'subnets',
    missing: notFound.subnet,
    owner: async (trx, caller, id) =>
      (
        await trx
          .selectFrom('subnets')
          .innerJoin('networks', 'networks.id', 'subnets.network_id')
          .select('subnets.project_id')
          .where('subnets.id', '=', id)
          .where(visibleSubnet(caller))
          .executeTakeFirst()
      )?.project_id,
  },
  ports: {
    type: 'ports',
    missing: notFound.port,
    owner: async (trx, caller, id) =>
      (
        await trx
          .selectFrom('ports')
          .innerJoin('networks', 'networks.id', 'ports.network_id')
          .select('ports.project_id')
          .where('ports.id', '=', id)
          .where(visiblePort(caller))
          .executeTakeFirst()
      )?.project_id,
  },
  subnetpools: {
    type: 'subnetpools',
    missing: notFound.subnetpool,
    owner: async (trx, caller, id) =>
      (await trx.selectFrom('subnetpools').select('subnetpools.project_id').where('subnetpools.id', '=', id).where(visibleSubnetpool(caller)).executeTakeFirst())?.project_id,
  },
  routers: {
    type: 'routers',
    missing: l3NotFound.router,
    owner: async (trx, caller, id) =>
      (await trx.selectFrom('routers').select('routers.project_id').where('routers.id', '=', id).where(visibleRouter(caller)).executeTakeFirst())?.project_id,
  },
  floatingips: {
    type: 'floatingips',
    missing: l3NotFound.floatingIp,
    owner: async (trx, caller, id) =>
      (await trx.selectFrom('floatingips').select('floatingips.project_id').where('floatingips.id', '=', id).where(visibleFloatingIp(caller)).executeTakeFirst())?.project_id,
  },
  trunks: {
    type: 'trunks',
    missing: trunkErrors.notFound,
    owner: async (trx, caller, id) =>
      (
        await trx
          .selectFrom('trunks')
          .select('project_id')
          .where('id', '=', id)
          .where(caller.isAdmin ? sql<boolean>`1 = 1` : sql<boolean>`project_id = ${caller.projectId}`)
          .executeTakeFirst()
      )?.project_id,
  },
  'qos/policies': {
    type: 'qos_policies',
    missing: qosErrors.policyNotFound,
    owner: async (trx, caller, id) =>
      (await trx.selectFrom('qos_policies').select('qos_policies.project_id').where('qos_policies.id', '=', id).where(qosPolicyVisible(caller)).executeTakeFirst())?.project_id,
  },
  'security-groups': {
    type: 'security_groups',
    missing: notFound.securityGroup,
    owner: async (trx, caller, id) =>
      (
        await trx
          .selectFrom('security_groups')
          .select('project_id')
          .where('id', '=', id)
          .where(caller.isAdmin ? sql<boolean>`1 = 1` : sql<boolean>`project_id = ${caller.projectId}`)
          .executeTakeFirst()
      )?.project_id,
  },
};

function checkTag(tag: unknown): string {
  if (typeof tag !== 'string' || tag === '') throw invalidAttribute('tags', `'${pyStr(tag)}' is not a valid string`);
  if (tag.length > MAX_TAG_LENGTH) throw invalidAttribute('tags', `'${tag}' exceeds maximum length of ${MAX_TAG_LENGTH}`);
  if (tag.includes(',')) throw invalidAttribute('tags', `'${tag}' contains ','`);
  return tag;
}

export function tagRoutes(app: FastifyInstance, deps: NetworkDeps, described: Map<string, SimpleResourceService> = new Map()): void {
  const db = deps.db.kysely;
  const collections = { ...COLLECTIONS };
  for (const [path, service] of described) {
    collections[path] = {
      type: service.spec.tagType!,
      missing: service.spec.notFound,
      owner: async (trx, caller, id) => {
        const row = await service.find(trx, caller, id).catch(() => undefined);
        return row === undefined ? undefined : String(row.project_id ?? '');
      },
    };
  }
  type P = { Params: { collection?: string; id: string; tag?: string } };

  const resolve = async (caller: Caller, collection: string, id: string, modify: boolean) => {
    // An own member only: `/v2.0/toString/...` names no collection (not Object.prototype's).
    const c = Object.hasOwn(collections, collection) ? collections[collection] : undefined;
    if (!c) throw notFound.extension(collection);
    const owner = await c.owner(db, caller, id);
    if (owner === undefined) throw c.missing(id);
    if (modify) requireOwner(caller, owner, `update_${c.type.replace(/s$/, '')}_tags`);
    return c.type;
  };

  // QoS policies live under /v2.0/qos/policies (two segments), beside the one-segment collections.
  const collectionOf = (req: { params: P['Params'] }) => req.params.collection ?? 'qos/policies';
  for (const prefix of ['/v2.0/:collection', '/v2.0/qos/policies']) {
    app.get<P>(`${prefix}/:id/tags`, async (req) => {
      const type = await resolve(contextOf(req), collectionOf(req), req.params.id, false);
      return { tags: (await tagsOf(db, type, [req.params.id])).get(req.params.id) ?? [] };
    });

    app.put<P>(`${prefix}/:id/tags`, async (req) => {
      const type = await resolve(contextOf(req), collectionOf(req), req.params.id, true);
      const body = req.body;
      if (!isObject(body) || body.tags === undefined) throw invalidAttribute('tags', 'Invalid tags body');
      const tags = toList(body.tags, 'tags').map(checkTag);
      await replaceTags(db, type, req.params.id, tags);
      return { tags: [...new Set(tags)].sort() };
    });

    // Adds tags to those the resource has; answers the whole set.
    app.post<P>(`${prefix}/:id/tags`, async (req, reply) => {
      const type = await resolve(contextOf(req), collectionOf(req), req.params.id, true);
      const body = req.body;
      if (!isObject(body) || body.tags === undefined) throw invalidAttribute('tags', 'Invalid tags body');
      const added = toList(body.tags, 'tags').map(checkTag);
      const current = (await tagsOf(db, type, [req.params.id])).get(req.params.id) ?? [];
      const tags = [...new Set([...current, ...added])].sort();
      await replaceTags(db, type, req.params.id, tags);
      reply.code(201);
      return { tags };
    });

    app.delete<P>(`${prefix}/:id/tags`, async (req, reply) => {
      const type = await resolve(contextOf(req), collectionOf(req), req.params.id, true);
      await replaceTags(db, type, req.params.id, []);
      return reply.code(204).send();
    });

    app.get<P>(`${prefix}/:id/tags/:tag`, async (req, reply) => {
      const type = await resolve(contextOf(req), collectionOf(req), req.params.id, false);
      const tags = (await tagsOf(db, type, [req.params.id])).get(req.params.id) ?? [];
      if (!tags.includes(req.params.tag!)) throw notFound.tag(type, req.params.id, req.params.tag!);
      return reply.code(204).send();
    });

    app.put<P>(`${prefix}/:id/tags/:tag`, async (req, reply) => {
      const type = await resolve(contextOf(req), collectionOf(req), req.params.id, true);
      const tag = checkTag(req.params.tag);
      const tags = (await tagsOf(db, type, [req.params.id])).get(req.params.id) ?? [];
      if (!tags.includes(tag))
        await db
          .insertInto('resource_tags')
          .values({ resource_id: req.params.id, resource_type: type, tag })
          .execute()
          .catch(() => undefined);
      return reply.code(201).send();
    });

    app.delete<P>(`${prefix}/:id/tags/:tag`, async (req, reply) => {
      const type = await resolve(contextOf(req), collectionOf(req), req.params.id, true);
      const gone = await db
        .deleteFrom('resource_tags')
        .where('resource_type', '=', type)
        .where('resource_id', '=', req.params.id)
        .where('tag', '=', req.params.tag!)
        .executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) throw notFound.tag(type, req.params.id, req.params.tag!);
      return reply.code(204).send();
    });
  }
}
