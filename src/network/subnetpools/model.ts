import type { Selectable } from 'kysely';
import { isoSeconds } from '../../db/index.js';
import type { SubnetpoolsTable } from '../tables.js';
import { parseJson, toBool } from '../tx.js';

export interface Subnetpool {
  id: string;
  projectId: string;
  name: string;
  description: string;
  ipVersion: 4 | 6;
  prefixes: string[];
  defaultPrefixlen: number;
  minPrefixlen: number;
  maxPrefixlen: number;
  defaultQuota: number | null;
  shared: boolean;
  isDefault: boolean;
  addressScopeId: string | null;
  revisionNumber: number;
  createdAt: number;
  updatedAt: number;
  tags: string[];
}

export type SubnetpoolRow = Selectable<SubnetpoolsTable>;

export function toSubnetpool(row: SubnetpoolRow, tags: string[] = []): Subnetpool {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    ipVersion: Number(row.ip_version) as 4 | 6,
    prefixes: parseJson<string[]>(row.prefixes, []),
    defaultPrefixlen: Number(row.default_prefixlen),
    minPrefixlen: Number(row.min_prefixlen),
    maxPrefixlen: Number(row.max_prefixlen),
    defaultQuota: row.default_quota === null ? null : Number(row.default_quota),
    shared: toBool(row.shared),
    isDefault: toBool(row.is_default),
    addressScopeId: row.address_scope_id,
    revisionNumber: Number(row.revision_number),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    tags,
  };
}

export function subnetpoolView(p: Subnetpool): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    tenant_id: p.projectId,
    project_id: p.projectId,
    ip_version: p.ipVersion,
    prefixes: p.prefixes,
    default_prefixlen: p.defaultPrefixlen,
    min_prefixlen: p.minPrefixlen,
    max_prefixlen: p.maxPrefixlen,
    default_quota: p.defaultQuota,
    shared: p.shared,
    is_default: p.isDefault,
    address_scope_id: p.addressScopeId,
    tags: p.tags,
    revision_number: p.revisionNumber,
    created_at: isoSeconds(p.createdAt),
    updated_at: isoSeconds(p.updatedAt),
  };
}
