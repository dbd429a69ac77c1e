/** `If-Match: revision_number=N` (revision-if-match): a change names the revision it was made against. */
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../common/index.js';
import { badRequest } from '../errors.js';

/** The request's If-Match header, if any. */
export function ifMatchOf(req: FastifyRequest): string | undefined {
  const h = req.headers['if-match'];
  return Array.isArray(h) ? h[0] : h;
}

/** 412 as upstream when `If-Match: revision_number=N` names another revision. */
export function checkIfMatch(header: string | undefined, revision: number): void {
  if (header === undefined) return;
  const m = /revision_number=(\d+)/.exec(header);
  if (!m) throw badRequest(`Invalid If-Match header: ${header}`);
  if (Number(m[1]) !== revision) {
    throw new ApiError(412, `Constrained to revision_number ${m[1]}, but current revision is ${revision}.`, 'RevisionNumberConstraintFailed');
  }
}
