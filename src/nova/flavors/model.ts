import type { Selectable } from 'kysely';
import type { NovaFlavorsTable } from '../tables.js';

/** A top flavor: owned by the gateway, copied to a pod (same id) the first time a server there needs it. */
export interface TopFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral: number;
  swap: number;
  rxtxFactor: number;
  isPublic: boolean;
  disabled: boolean;
  description: string | null;
  extraSpecs: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export function toFlavor(row: Selectable<NovaFlavorsTable>): TopFlavor {
  let extraSpecs: Record<string, string> = {};
  try {
    extraSpecs = JSON.parse(row.extra_specs) as Record<string, string>;
  } catch {
    extraSpecs = {};
  }
  return {
    id: row.id,
    name: row.name,
    vcpus: Number(row.vcpus),
    ram: Number(row.memory_mb),
    disk: Number(row.root_gb),
    ephemeral: Number(row.ephemeral_gb),
    swap: Number(row.swap),
    rxtxFactor: Number(row.rxtx_factor),
    isPublic: Boolean(Number(row.is_public)),
    disabled: Boolean(Number(row.disabled)),
    description: row.description,
    extraSpecs,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The last path segment of a flavor reference (an id or a URL ending in the id). */
export function flavorIdOf(ref: unknown): string {
  const text = String(ref);
  const parts = text.split('/').filter((p) => p !== '');
  return parts.length > 0 ? parts[parts.length - 1] : text;
}
