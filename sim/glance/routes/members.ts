import type { FastifyInstance } from 'fastify';
import { SimServiceError } from '../../types.js';
import type { ImageStore } from '../images.js';
import { memberView } from '../views.js';
import { viewerOf } from './images.js';

type Params = { id: string };
type MemberParams = { id: string; member: string };

const STATUSES = ['pending', 'accepted', 'rejected'];

/** /v2/images/{id}/members: sharing an image with other projects. */
export function memberRoutes(app: FastifyInstance, store: ImageStore): void {
  app.get<{ Params: Params }>('/v2/images/:id/members', async (req) => {
    const viewer = viewerOf(req);
    const image = store.get(req.params.id, viewer);
    const visible = store.members.filter((m) => m.imageId === image.id && (viewer.isAdmin || image.owner === viewer.projectId || m.memberId === viewer.projectId));
    return { members: visible.map(memberView), schema: '/v2/schemas/members' };
  });

  app.post<{ Params: Params }>('/v2/images/:id/members', async (req) => {
    const image = store.getOwned(req.params.id, viewerOf(req), 'add_member');
    const memberId = (req.body as Record<string, unknown> | null)?.member;
    if (typeof memberId !== 'string' || memberId === '') throw new SimServiceError(400, 'Member to be added not specified');
    return memberView(store.addMember(image, memberId));
  });

  app.get<{ Params: MemberParams }>('/v2/images/:id/members/:member', async (req) => {
    const viewer = viewerOf(req);
    const image = store.get(req.params.id, viewer);
    const m = store.member(image.id, req.params.member);
    if (!m || (!viewer.isAdmin && image.owner !== viewer.projectId && m.memberId !== viewer.projectId)) {
      throw new SimServiceError(404, `${req.params.member} is not a member of image ${image.id}`);
    }
    return memberView(m);
  });

  app.put<{ Params: MemberParams }>('/v2/images/:id/members/:member', async (req) => {
    const viewer = viewerOf(req);
    const image = store.get(req.params.id, viewer);
    const m = store.member(image.id, req.params.member);
    if (!m) throw new SimServiceError(404, `${req.params.member} is not a member of image ${image.id}`);
    if (!viewer.isAdmin && m.memberId !== viewer.projectId) throw new SimServiceError(403, 'You are not permitted to modify this member.');
    const status = (req.body as Record<string, unknown> | null)?.status;
    if (typeof status !== 'string' || !STATUSES.includes(status)) throw new SimServiceError(400, `Status must be one of ${STATUSES.join(', ')}`);
    m.status = status as typeof m.status;
    m.updatedAt = new Date();
    return memberView(m);
  });

  app.delete<{ Params: MemberParams }>('/v2/images/:id/members/:member', async (req, reply) => {
    const image = store.getOwned(req.params.id, viewerOf(req), 'delete_member');
    store.removeMember(image.id, req.params.member);
    return reply.code(204).send();
  });
}
