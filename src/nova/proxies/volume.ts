import { BottomError, type PodClientFactory } from '../../bottom/index.js';
import { isJsonObject, notFound, serviceUnavailable } from '../../common/index.js';
import { Type, anyType, nullable } from '../../gateway/index.js';
import { qLast, type NovaCall } from '../call.js';
import type { PodDirectory } from '../podDirectory.js';

type Json = Record<string, unknown>;

const text = Type.Optional(nullable(Type.String({ maxLength: 255 })));

/** `POST /os-volumes`. */
export const VolumeCreate = Type.Object(
  {
    volume: Type.Object(
      {
        size: anyType(['integer', 'string'], { pattern: '^[0-9]+$', minimum: 1 }),
        availability_zone: text,
        display_name: text,
        display_description: text,
        volume_type: text,
        metadata: Type.Optional(Type.Object({})),
        snapshot_id: text,
        imageRef: text,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** `POST /os-snapshots`. */
export const SnapshotCreate = Type.Object(
  {
    snapshot: Type.Object(
      { volume_id: Type.String({ minLength: 1 }), force: Type.Optional(anyType(['boolean', 'string'])), display_name: text, display_description: text },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/**
 * Nova's Block Storage proxy (`os-volumes`, `os-snapshots`, until 2.35) over the region's volume
 * service (the Cinder gateway), with the client's token, in Nova's camel-case views.
 */
export class VolumeProxy {
  constructor(private readonly deps: { clients: PodClientFactory; pods: PodDirectory }) {}

  private async call<T>(call: NovaCall, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, missing?: string): Promise<T> {
    const top = await this.deps.pods.top();
    if (!top) throw serviceUnavailable('The top region has no volume service registered.');
    try {
      return await this.deps.clients.client(top, 'volumev3').json<T>(call.ctx, method, path, body !== undefined ? { body } : {});
    } catch (err) {
      if (missing && err instanceof BottomError && err.status === 404) throw notFound(missing);
      throw err;
    }
  }

  private volumeView(v: Json): Json {
    const attachments = Array.isArray(v.attachments) ? (v.attachments as Json[]) : [];
    return {
      attachments:
        attachments.length > 0 ? attachments.map((a) => ({ device: a.device ?? null, id: a.attachment_id ?? a.id ?? v.id, serverId: a.server_id ?? null, volumeId: v.id })) : [{}],
      availabilityZone: v.availability_zone ?? null,
      createdAt: v.created_at ?? null,
      displayDescription: v.description ?? null,
      displayName: v.name ?? null,
      id: v.id,
      metadata: isJsonObject(v.metadata) ? v.metadata : {},
      size: v.size,
      snapshotId: v.snapshot_id ?? null,
      status: v.status,
      volumeType: v.volume_type ?? null,
    };
  }

  private snapshotView(s: Json): Json {
    return {
      createdAt: s.created_at ?? null,
      displayDescription: s.description ?? null,
      displayName: s.name ?? null,
      id: s.id,
      size: s.size,
      status: s.status,
      volumeId: s.volume_id,
    };
  }

  private page<T>(call: NovaCall, items: T[]): T[] {
    const offset = Number(qLast(call.query, 'offset') ?? 0) || 0;
    const limit = qLast(call.query, 'limit');
    return items.slice(offset, limit !== undefined ? offset + (Number(limit) || 0) : undefined);
  }

  async listVolumes(call: NovaCall): Promise<Json[]> {
    const body = await this.call<{ volumes: Json[] }>(call, 'GET', '/volumes/detail');
    return this.page(
      call,
      body.volumes.map((v) => this.volumeView(v)),
    );
  }

  async showVolume(call: NovaCall, id: string): Promise<Json> {
    const body = await this.call<{ volume: Json }>(call, 'GET', `/volumes/${encodeURIComponent(id)}`, undefined, `Volume ${id} could not be found.`);
    return this.volumeView(body.volume);
  }

  async createVolume(call: NovaCall<{ volume: Json }>): Promise<Json> {
    const v = call.body.volume;
    const volume: Json = { size: Number(v.size) };
    const copy: [string, string][] = [
      ['display_name', 'name'],
      ['display_description', 'description'],
      ['volume_type', 'volume_type'],
      ['availability_zone', 'availability_zone'],
      ['snapshot_id', 'snapshot_id'],
      ['imageRef', 'imageRef'],
      ['metadata', 'metadata'],
    ];
    for (const [from, to] of copy) if (v[from] !== undefined && v[from] !== null) volume[to] = v[from];
    const body = await this.call<{ volume: Json }>(call, 'POST', '/volumes', { volume });
    return this.volumeView(body.volume);
  }

  async deleteVolume(call: NovaCall, id: string): Promise<void> {
    await this.call(call, 'DELETE', `/volumes/${encodeURIComponent(id)}`, undefined, `Volume ${id} could not be found.`);
  }

  async listSnapshots(call: NovaCall): Promise<Json[]> {
    const body = await this.call<{ snapshots: Json[] }>(call, 'GET', '/snapshots/detail');
    return this.page(
      call,
      body.snapshots.map((x) => this.snapshotView(x)),
    );
  }

  async showSnapshot(call: NovaCall, id: string): Promise<Json> {
    const body = await this.call<{ snapshot: Json }>(call, 'GET', `/snapshots/${encodeURIComponent(id)}`, undefined, `Snapshot ${id} could not be found.`);
    return this.snapshotView(body.snapshot);
  }

  async createSnapshot(call: NovaCall<{ snapshot: Json }>): Promise<Json> {
    const x = call.body.snapshot;
    const snapshot: Json = { volume_id: x.volume_id };
    if (x.force !== undefined) snapshot.force = x.force === true || String(x.force).toLowerCase() === 'true';
    if (typeof x.display_name === 'string') snapshot.name = x.display_name;
    if (typeof x.display_description === 'string') snapshot.description = x.display_description;
    const body = await this.call<{ snapshot: Json }>(call, 'POST', '/snapshots', { snapshot });
    return this.snapshotView(body.snapshot);
  }

  async deleteSnapshot(call: NovaCall, id: string): Promise<void> {
    await this.call(call, 'DELETE', `/snapshots/${encodeURIComponent(id)}`, undefined, `Snapshot ${id} could not be found.`);
  }
}
