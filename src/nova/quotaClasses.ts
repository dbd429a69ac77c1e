import { Type, anyType, byVersion, type Microversion } from '../gateway/index.js';
import type { PolicyEnforcer } from '../policy/index.js';
import { requireAdmin, type NovaCall } from './call.js';
import type { QuotaService } from './quotas.js';

const BASE = ['cores', 'instances', 'key_pairs', 'metadata_items', 'ram'];
const NETWORK = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
const FILES = ['injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files'];
const GROUPS = ['server_group_members', 'server_groups'];

/** The keys of a quota class set: 2.50 drops the network ones and adds server groups, 2.57 drops injected files. */
export function quotaClassKeys(v: Microversion): string[] {
  const keys = [...BASE];
  if (v.lt('2.50')) keys.push(...NETWORK);
  else keys.push(...GROUPS);
  if (v.lt('2.57')) keys.push(...FILES);
  return keys.sort();
}

const value = anyType(['integer', 'string'], { pattern: '^-?[0-9]+$', minimum: -1 });
const body = (keys: string[]) =>
  Type.Object({ quota_class_set: Type.Object(Object.fromEntries(keys.map((k) => [k, Type.Optional(value)])), { additionalProperties: false }) }, { additionalProperties: false });

/** `PUT /os-quota-class-sets/{id}`. */
export const QuotaClassUpdate = byVersion({
  '2.1': body([...BASE, ...NETWORK, ...FILES]),
  '2.50': body([...BASE, ...GROUPS, ...FILES]),
  '2.57': body([...BASE, ...GROUPS]),
});

/**
 * `os-quota-class-sets`: as upstream, only the `default` class has effect (it is the default of every
 * project's quotas, kept at the top); any other class name shows and accepts the same values.
 */
export class QuotaClassService {
  constructor(
    private readonly quotas: QuotaService,
    private readonly policy: PolicyEnforcer,
  ) {}

  async show(call: NovaCall, id: string): Promise<Record<string, unknown>> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-quota-class-sets:show');
    const limits = await this.quotas.classLimits();
    return { id, ...Object.fromEntries(quotaClassKeys(call.version).map((k) => [k, limits[k] ?? -1])) };
  }

  async update(call: NovaCall<{ quota_class_set: Record<string, number | string | undefined> }>, id: string): Promise<Record<string, unknown>> {
    requireAdmin(this.policy, call.ctx, 'os_compute_api:os-quota-class-sets:update');
    const values = Object.entries(call.body.quota_class_set)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Number(v)] as [string, number]);
    if (id === 'default') await this.quotas.setClassLimits(values);
    const limits = await this.quotas.classLimits();
    const out = Object.fromEntries(quotaClassKeys(call.version).map((k) => [k, limits[k] ?? -1]));
    if (id !== 'default') for (const [k, v] of values) out[k] = v;
    return out;
  }
}
