import type { RequestContext } from '../identity/index.js';
import type { ApiPrefix, Microversion } from './microversion.js';

/** One client request to the gateway, as the service layer sees it (no Fastify in here). */
export interface CinderCall {
  ctx: RequestContext;
  /** The API the client called: links in answers keep it. */
  api: ApiPrefix;
  /** The negotiated microversion (3.0 for /v2). */
  version: Microversion;
  /** What pods are asked to speak: the negotiated version on /v3, none (3.0) on /v2. */
  podVersion: string | undefined;
  /** The project id in the URL, when the URL has one. */
  urlProject: string | undefined;
  /** The request's query string without `?` ('' when none), relayed to pods as is where it applies. */
  rawQuery: string;
}

/** The versioned base of the gateway's URLs for this call, e.g. http://gw:19997/v3/<project>. */
export function versionedBase(call: CinderCall, publicUrl: string): string {
  return `${publicUrl}/${call.api}${call.urlProject ? `/${call.urlProject}` : ''}`;
}
