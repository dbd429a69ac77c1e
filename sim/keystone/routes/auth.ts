import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf } from '../../common/http.js';
import { SimServiceError } from '../../types.js';
import { authenticate } from '../authenticate.js';
import { forbidden, queryFlag, queryOf, type KeystoneContext } from '../context.js';
import type { TokenRecord } from '../tokens.js';

/** /v3/auth/*: issuing, validating and revoking tokens, and what a token gives access to. */
export function authRoutes(app: FastifyInstance, ctx: KeystoneContext): void {
  const { identity, tokens, views, catalog } = ctx;

  app.post('/v3/auth/tokens', async (req, reply) => {
    const token = authenticate(identity, tokens, req.body);
    const withCatalog = !queryFlag(queryOf(req), 'nocatalog');
    return reply.code(201).header('x-subject-token', token.id).header('vary', 'X-Auth-Token').send(tokens.render(token, withCatalog));
  });

  const subject = (req: FastifyRequest): TokenRecord => {
    const caller = callerOf(req);
    const id = req.headers['x-subject-token'];
    const q = queryOf(req);
    const t = typeof id === 'string' ? tokens.lookup(id, queryFlag(q, 'allow_expired')) : undefined;
    if (!t) throw new SimServiceError(404, `Could not find token: ${typeof id === 'string' ? id : 'None'}.`);
    if (!caller.isAdmin && !caller.roles.includes('service') && t.userId !== caller.userId) throw forbidden('identity:validate_token');
    return t;
  };

  app.get('/v3/auth/tokens', async (req, reply) => {
    const t = subject(req);
    return reply
      .header('x-subject-token', t.id)
      .header('vary', 'X-Auth-Token')
      .send(tokens.render(t, !queryFlag(queryOf(req), 'nocatalog')));
  });

  app.delete('/v3/auth/tokens', async (req, reply) => {
    const t = subject(req);
    tokens.revoke(t.id);
    return reply.code(204).send();
  });

  app.get('/v3/auth/catalog', async (req) => {
    const t = tokens.lookup(callerOf(req).token)!;
    if (t.scope.kind === 'unscoped') throw new SimServiceError(403, 'A project-scoped token is required to produce a service catalog.');
    return { catalog: catalog.render(t.scope.kind === 'project' ? t.scope.projectId : undefined), links: views.collectionLinks('/auth/catalog') };
  });

  app.get('/v3/auth/projects', async (req) => ({
    projects: identity
      .projectsOf(callerOf(req).userId)
      .filter((p) => p.enabled)
      .map((p) => views.project(p)),
    links: views.collectionLinks('/auth/projects'),
  }));

  app.get('/v3/auth/domains', async (req) => ({
    domains: identity.domainsOf(callerOf(req).userId).map((d) => views.domain(d)),
    links: views.collectionLinks('/auth/domains'),
  }));
}
