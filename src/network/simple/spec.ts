/**
 * Resources described as data: each top-owned Neutron resource that is a row with attributes (address
 * scopes, address groups, segment ranges, local IPs, ...) is a `SimpleResourceSpec`, and one service
 * (`service.ts`) and one route set (`routes.ts`) serve them all with upstream's list semantics
 * (filters, fields, sorting, pagination), tags, revision numbers and policy defaults.
 */
import type { ApiError } from '../../common/index.js';
import type { Caller } from '../policy.js';
import type { Trx } from '../tx.js';

export type ColumnKind = 'string' | 'int' | 'bool' | 'json';

export type Row = Record<string, unknown> & { id: string };

export interface FieldSpec {
  kind: ColumnKind;
  /** Column name; defaults to the attribute name. */
  column?: string;
  /** Allowed in POST (default true). */
  post?: boolean;
  /** Allowed in PUT (default false). */
  put?: boolean;
  required?: boolean;
  convert?: (value: unknown, attr: string) => unknown;
  /** The value when POST leaves it out (a constant, or computed from the caller and the other attributes). */
  default?: unknown | ((attrs: Record<string, unknown>, caller: Caller) => unknown);
  /** Only an admin may set it (create or update), as upstream's `:attr` policy rules. */
  adminOnly?: boolean;
  /** Usable as a list filter (default true except json) and sort key (default true except json). */
  filter?: boolean;
  sort?: boolean;
  /** Not shown in bodies (kept for the service's own use). */
  hidden?: boolean;
}

export type Visibility =
  /** Admins see all; others their project's rows. */
  | 'owner'
  /** ... and rows whose `shared` column is true. */
  | 'ownerOrShared'
  /** Everyone sees every row (flavors, default security group rules). */
  | 'everyone'
  /** Only admins (segments, service profiles). */
  | 'admin';

/** A resource nested under a parent, e.g. /routers/{router_id}/conntrack_helpers. */
export interface ParentSpec {
  /** Route parameter and column holding the parent id, e.g. router_id. */
  column: string;
  /** The parent's project when `caller` may see it; undefined when it is not there (404 `missing`). */
  ownerOf(trx: Trx, caller: Caller, parentId: string): Promise<string | undefined>;
  missing(id: string): ApiError;
}

export interface HookContext {
  trx: Trx;
  caller: Caller;
}

export interface SimpleResourceSpec {
  /** Singular and plural body keys, e.g. address_scope / address_scopes. */
  resource: string;
  collection: string;
  /** URL below /v2.0, e.g. "address-scopes" or "routers/:parent/conntrack_helpers". */
  path: string;
  table: string;
  /** Policy names: create_<policyName>, update_<policyName>, ... */
  policyName: string;
  fields: Record<string, FieldSpec>;
  /** Has project_id/tenant_id (true), none (false), or a nullable one set only by admins ('nullable'). */
  project: boolean | 'nullable';
  /** revision_number, created_at, updated_at. */
  standard: boolean;
  /** resource_tags type; tagged resources take tags filters and the tag API. */
  tagType?: string;
  visibility: Visibility;
  /** The RBAC object type whose access_as_shared entries also make a row visible (ownerOrShared only). */
  rbacObjectType?: string;
  /** Who may create: everyone (for their project) or admins. */
  create: 'anyone' | 'admin';
  /** Who may update and delete a visible row: its owner (or admin), or admins only. */
  modify: 'owner' | 'admin';
  /** The attribute that is the row's id (a port association is named by its port): bodies show no `id`. */
  idIsAttribute?: string;
  /** Collection without PUT (metering, default security group rules). */
  noUpdate?: boolean;
  parent?: ParentSpec;
  notFound(id: string): ApiError;
  /** Runs before every operation (e.g. writing configured rows once); `trx` when inside a transaction. */
  ready?(trx?: Trx): Promise<void>;
  /** Checks and completes a new row before insert (in the request's transaction). */
  beforeCreate?(ctx: HookContext, row: Row): Promise<void>;
  /** Checks an update (the row after the change; `before` as it was). */
  beforeUpdate?(ctx: HookContext, row: Row, before: Row): Promise<void>;
  /** Refuses or prepares a delete. */
  beforeDelete?(ctx: HookContext, row: Row): Promise<void>;
  /** Attributes computed at read time (e.g. a range's used segments), merged into each view. */
  decorate?(trx: Trx, rows: Row[]): Promise<Map<string, Record<string, unknown>>>;
}
