// What every part of the simulated Cinder shares: dependencies, the per-request context and links.
import type { SimCaller, SimFaults, SimGlanceApi, SimTokenValidator } from '../types.js';
import type { ApiVersion } from '../nova/apiutil.js';

export interface CinderSimDeps {
  region: string;
  az: string;
  faults: SimFaults;
  keystone: SimTokenValidator;
  publicUrl: () => string;
  /** The pod's Glance, where os-volume_upload_image registers its image (absent: the action is refused). */
  glance?: () => SimGlanceApi;
  /** Delay of asynchronous transitions (creating→available, extending, deleting…). Default 50 ms. */
  buildDelayMs?: number;
}

export interface CinderCtx {
  caller: SimCaller;
  version: ApiVersion;
  /** 'v3' or 'v2' (links keep the version the client used). */
  apiPrefix: string;
  /** Project id from the URL, when the URL carried one. */
  projectInUrl: string | undefined;
}

export class CinderLinks {
  constructor(private readonly publicUrl: () => string) {}

  private project(ctx: CinderCtx): string {
    return ctx.projectInUrl ? `/${ctx.projectInUrl}` : '';
  }

  versioned(ctx: CinderCtx, path: string): string {
    return `${this.publicUrl()}/${ctx.apiPrefix}${this.project(ctx)}/${path}`;
  }

  pair(ctx: CinderCtx, collection: string, id: string): Array<{ href: string; rel: string }> {
    return [
      { href: this.versioned(ctx, `${collection}/${id}`), rel: 'self' },
      { href: `${this.publicUrl()}${this.project(ctx)}/${collection}/${id}`, rel: 'bookmark' },
    ];
  }
}
