/**
 * Undoing a server's ports: ports this service created for the server are deleted (with their pod
 * copies); ports the user passed in lose their pod copies and their binding, and stay.
 */
import type { BottomCallContext } from '../../bottom/index.js';
import type { Logger } from '../../common/logging.js';
import { dbNow, type Db } from '../../db/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PodRegistry } from '../../pods/index.js';
import { copiesOf, deleteCopies, type BottomNetworkDeleter } from '../../network/bottomCopies.js';
import type { Caller } from '../../network/policy.js';
import type { PortService } from '../../network/ports/service.js';
import { parseJson } from '../../network/tx.js';
import { CREATED_FOR_SERVER } from './names.js';

export interface ReleaseDeps {
  db: Db;
  pods: PodRegistry;
  deleter: BottomNetworkDeleter;
  ports: PortService;
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
    const rows = await this.deps.db.kysely.selectFrom('ports').select(['id', 'binding_profile']).where('device_id', '=', serverId).execute();
    await this.release(ctx, rows.map(releasedNicOf));
  }

  /** Releases the given ports (deleting those made for a server); unknown ids are skipped. */
  async releasePorts(ctx: RequestContext, topPortIds: string[]): Promise<void> {
    if (topPortIds.length === 0) return;
    const rows = await this.deps.db.kysely.selectFrom('ports').select(['id', 'binding_profile']).where('id', 'in', topPortIds).execute();
    await this.release(ctx, rows.map(releasedNicOf));
  }

  /** Sets the device of the ports to the server. */
  async bind(portIds: string[], serverId: string): Promise<void> {
    if (portIds.length === 0) return;
    await this.deps.db.kysely
      .updateTable('ports')
      .set((eb) => ({ device_id: serverId, revision_number: eb('revision_number', '+', 1), updated_at: dbNow(this.deps.db.dialect) }))
      .where('id', 'in', portIds)
      .execute();
  }

  private async releaseOne(ctx: RequestContext, nic: ReleasedNic): Promise<void> {
    const caller = elevated(ctx);
    const copies = await copiesOf(this.deps.db.kysely, { ports: [nic.topPortId] });
    await deleteCopies(this.deps.db.kysely, { pods: this.deps.pods, deleter: this.deps.deleter, logger: this.deps.logger }, copies, caller);
    if (nic.createdTopPort) {
      try {
        await this.deps.ports.delete(caller, nic.topPortId);
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
      }
      return;
    }
    await this.deps.db.kysely
      .updateTable('ports')
      .set((eb) => ({ device_id: '', device_owner: '', revision_number: eb('revision_number', '+', 1), updated_at: dbNow(this.deps.db.dialect) }))
      .where('id', '=', nic.topPortId)
      .where('reserved_for', 'is', null)
      .execute();
  }
}

function releasedNicOf(row: { id: string; binding_profile: string | null }): ReleasedNic {
  return { topPortId: row.id, createdTopPort: parseJson<Record<string, unknown>>(row.binding_profile, {})[CREATED_FOR_SERVER] === true };
}
