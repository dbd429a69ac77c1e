/**
 * Undoing a server's ports: ports this service created for the server are deleted (with their pod
 * copies); ports the user passed in lose their pod copies and their binding, and stay.
 */
import type { BottomCallContext } from '../../bottom/index.js';
import type { Logger } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { Caller, ServerPortRef, TopNetworkState } from '../../network/index.js';

export interface ReleaseDeps {
  top: Pick<TopNetworkState, 'serverPorts' | 'copies'>;
  logger?: Logger;
}

export interface ReleasedNic {
  topPortId: string;
  createdTopPort: boolean;
}

/**
 * The service's own view of a caller: admin rights over the ports it made, the caller's token (kept
 * out of logs and spreads, as in RequestContext) and request ids.
 */
export function elevated(ctx: RequestContext): Caller & BottomCallContext {
  const caller = {
    projectId: ctx.projectId,
    isAdmin: true,
    requestId: ctx.requestId,
    ...(ctx.globalRequestId !== undefined ? { globalRequestId: ctx.globalRequestId } : {}),
  };
  Object.defineProperty(caller, 'authToken', { value: ctx.authToken, enumerable: false });
  return caller as Caller & BottomCallContext;
}

export class ServerPortReleaser {
  constructor(private readonly deps: ReleaseDeps) {}

  /** Releases every NIC, then throws the first failure (the others were still tried). */
  async release(ctx: RequestContext, nics: ReleasedNic[]): Promise<void> {
    let failure: unknown;
    for (const nic of nics) {
      try {
        await this.releaseOne(ctx, nic);
      } catch (err) {
        failure ??= err;
        this.deps.logger?.warn({ err, port: nic.topPortId }, 'could not release a server port');
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Releases the ports whose device is the server (deleting those made for it). */
  async cleanup(ctx: RequestContext, serverId: string): Promise<void> {
    await this.release(ctx, (await this.deps.top.serverPorts.ofDevice(serverId)).map(releasedNicOf));
  }

  /** Releases the given ports (deleting those made for a server); unknown ids are skipped. */
  async releasePorts(ctx: RequestContext, topPortIds: string[]): Promise<void> {
    if (topPortIds.length === 0) return;
    await this.release(ctx, (await this.deps.top.serverPorts.refs(topPortIds)).map(releasedNicOf));
  }

  /** Sets the device of the ports to the server. */
  async bind(portIds: string[], serverId: string): Promise<void> {
    await this.deps.top.serverPorts.bind(portIds, serverId);
  }

  private async releaseOne(ctx: RequestContext, nic: ReleasedNic): Promise<void> {
    const caller = elevated(ctx);
    await this.deps.top.copies.deleteCopiesOf({ ports: [nic.topPortId] }, caller);
    if (nic.createdTopPort) {
      try {
        await this.deps.top.serverPorts.delete(caller, nic.topPortId);
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
      }
      return;
    }
    await this.deps.top.serverPorts.unbind(nic.topPortId);
  }
}

function releasedNicOf(ref: ServerPortRef): ReleasedNic {
  return { topPortId: ref.id, createdTopPort: ref.createdForServer };
}
