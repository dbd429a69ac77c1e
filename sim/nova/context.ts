// What every part of the simulated Nova shares: its dependencies, the per-request context and links.
import type { SimCaller, SimCinderApi, SimFaults, SimGlanceApi, SimNeutronApi, SimTokenValidator } from '../types.js';
import type { ApiVersion } from './apiutil.js';

export interface NovaSimDeps {
  region: string;
  az: string;
  faults: SimFaults;
  keystone: SimTokenValidator;
  neutron: SimNeutronApi;
  cinder: SimCinderApi;
  glance: SimGlanceApi;
  publicUrl: () => string;
  /** Delay of asynchronous transitions (BUILD→ACTIVE, reboot, resize…). Default 50 ms. */
  buildDelayMs?: number;
  /**
   * Like Nova's `shelved_offload_time`: 0 (the upstream default) offloads a shelved server at once
   * (SHELVED_OFFLOADED), -1 keeps it SHELVED until `shelveOffload`.
   */
  shelvedOffloadTime?: number;
}

/**
 * Optional extras the simulated Neutron may offer: floating IPs shown in server addresses, and the
 * network list Nova needs to pick a network when a boot request names none (or says `auto`).
 */
export interface NeutronExtras {
  listFloatingIps?(filter: { port_id?: string }): Array<Record<string, unknown>>;
  listNetworks?(filter: Record<string, unknown>): Array<Record<string, unknown>>;
}

/** Optional extras the simulated Cinder offers beyond SimCinderApi (delete_on_termination). */
export interface CinderExtras {
  deleteVolume?(volumeId: string): void;
}

/** One API request as the service layer sees it. */
export interface NovaCtx {
  caller: SimCaller;
  version: ApiVersion;
  requestId: string;
  /** The project id when the URL carried one (`/v2.1/{project_id}/...`), for links. */
  projectInUrl: string | undefined;
}

/** Builds self/bookmark/collection links the way Nova does for the URL form used. */
export class NovaLinks {
  constructor(private readonly publicUrl: () => string) {}

  private prefix(ctx: NovaCtx): string {
    return ctx.projectInUrl ? `/${ctx.projectInUrl}` : '';
  }

  /** `<base>/v2.1[/<project>]/<path>` */
  versioned(ctx: NovaCtx, path: string): string {
    return `${this.publicUrl()}/v2.1${this.prefix(ctx)}/${path}`;
  }

  /** `<base>[/<project>]/<path>` */
  bookmark(ctx: NovaCtx, path: string): string {
    return `${this.publicUrl()}${this.prefix(ctx)}/${path}`;
  }

  pair(ctx: NovaCtx, collection: string, id: string): Array<{ href: string; rel: string }> {
    return [
      { href: this.versioned(ctx, `${collection}/${id}`), rel: 'self' },
      { href: this.bookmark(ctx, `${collection}/${id}`), rel: 'bookmark' },
    ];
  }
}
