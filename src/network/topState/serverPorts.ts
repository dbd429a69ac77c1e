/**
 * What a server boot does to top ports (src/wiring/prepare): a new port for a NIC, a user's port
 * claimed for the server, the ports bound to the server's real id, and undone again.
 */
import type { BottomCallContext } from '../../bottom/index.js';
import { dbNow, type Db } from '../../db/index.js';
import type { Caller } from '../policy.js';
import { CREATED_FOR_SERVER_KEY, type Port } from '../ports/model.js';
import type { PortService } from '../ports/service.js';
import { parseJson } from '../tx.js';

/** A server's top port and whether Tricircle made it for the server (deleted with it) or the user passed it in (kept). */
export interface ServerPortRef {
  id: string;
  createdForServer: boolean;
}

export interface ServerPortRequest {
  networkId: string;
  projectId: string;
  serverId: string;
  deviceOwner: string;
  securityGroups: string[];
  /** The requested fixed address; the top IPAM picks one otherwise. */
  fixedIp?: string;
}

export interface ServerPorts {
  /** A new top port on the network for the server (the top IPAM picks or checks its address); API errors as the ports API raises them. */
  create(caller: Caller, request: ServerPortRequest): Promise<Port>;
  /** Marks a user's port as the server's; false when another device holds it (or it is one of Tricircle's own). */
  claim(portId: string, serverId: string, deviceOwner: string): Promise<boolean>;
  /** Sets the device of the ports to the server. */
  bind(portIds: string[], serverId: string): Promise<void>;
  /** Clears the device of a user's port (not one of Tricircle's own). */
  unbind(portId: string): Promise<void>;
  /** The ports whose device is `deviceId`. */
  ofDevice(deviceId: string): Promise<ServerPortRef[]>;
  /** The given ports (unknown ids are left out). */
  refs(portIds: string[]): Promise<ServerPortRef[]>;
  /** Deletes a port as the ports API does (its copies in the pods first). */
  delete(caller: Caller & BottomCallContext, portId: string): Promise<void>;
}

function refOf(row: { id: string; binding_profile: string | null }): ServerPortRef {
  return { id: row.id, createdForServer: parseJson<Record<string, unknown>>(row.binding_profile, {})[CREATED_FOR_SERVER_KEY] === true };
}

export function serverPorts(db: Db, ports: PortService): ServerPorts {
  return {
    async create(caller, r) {
      const [port] = await ports.create(caller, [
        {
          networkId: r.networkId,
          project_id: r.projectId,
          deviceId: r.serverId,
          deviceOwner: r.deviceOwner,
          bindingProfile: { [CREATED_FOR_SERVER_KEY]: true },
          securityGroups: r.securityGroups,
          ...(r.fixedIp !== undefined ? { fixedIps: [{ ipAddress: r.fixedIp }] } : {}),
        },
      ]);
      return port;
    },
    async claim(portId, serverId, deviceOwner) {
      const result = await db.kysely
        .updateTable('ports')
        .set((eb) => ({
          device_id: serverId,
          device_owner: deviceOwner,
          revision_number: eb('revision_number', '+', 1),
          updated_at: dbNow(db.dialect),
        }))
        .where('id', '=', portId)
        .where('reserved_for', 'is', null)
        .where((eb) => eb.or([eb('device_id', '=', ''), eb('device_id', '=', serverId)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async bind(portIds, serverId) {
      if (portIds.length === 0) return;
      await db.kysely
        .updateTable('ports')
        .set((eb) => ({ device_id: serverId, revision_number: eb('revision_number', '+', 1), updated_at: dbNow(db.dialect) }))
        .where('id', 'in', portIds)
        .execute();
    },
    async unbind(portId) {
      await db.kysely
        .updateTable('ports')
        .set((eb) => ({ device_id: '', device_owner: '', revision_number: eb('revision_number', '+', 1), updated_at: dbNow(db.dialect) }))
        .where('id', '=', portId)
        .where('reserved_for', 'is', null)
        .execute();
    },
    async ofDevice(deviceId) {
      const rows = await db.kysely.selectFrom('ports').select(['id', 'binding_profile']).where('device_id', '=', deviceId).execute();
      return rows.map(refOf);
    },
    async refs(portIds) {
      if (portIds.length === 0) return [];
      const rows = await db.kysely.selectFrom('ports').select(['id', 'binding_profile']).where('id', 'in', portIds).execute();
      return rows.map(refOf);
    },
    delete: (caller, portId) => ports.delete(caller, portId),
  };
}
