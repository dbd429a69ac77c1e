import { badRequest } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import { authorizeAdmin } from '../policy.js';
import { CINDER_QUOTA_DEFAULTS, MAX_QUOTA_NAME, quotaClassKey, type VolumeQuotas } from './admission.js';

/** The per-volume-type quotas Cinder adds for every type: `volumes_<type>`, `gigabytes_<type>`, `snapshots_<type>`. */
const PER_TYPE = ['volumes', 'gigabytes', 'snapshots'];

/** Cinder's policy rules for reading and changing quota classes (admin by default). */
const RULES = { get: 'volume_extension:quota_classes:get', update: 'volume_extension:quota_classes:update' };

const sortedKeys = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * `os-quota-class-sets`, owned by the top: a class is a set of limits kept in the top's database. As
 * upstream, only the `default` class has effect: its values are the defaults of every project's quotas
 * (the top enforces volumes and gigabytes with them, and shows them in `os-quota-sets/{p}/defaults`);
 * other class names are stored and shown but apply to no project.
 */
export class CinderQuotaClasses {
  constructor(
    private readonly quotas: VolumeQuotas,
    private readonly policy: PolicyEnforcer,
    /** The names of the top's volume types (each has its per-type quotas). */
    private readonly typeNames: () => Promise<string[]>,
  ) {}

  /** Every quota name Cinder knows now, with its built-in default. */
  private async builtIn(): Promise<Record<string, number>> {
    const out: Record<string, number> = { ...CINDER_QUOTA_DEFAULTS };
    for (const name of await this.typeNames()) for (const res of PER_TYPE) out[`${res}_${name}`] = -1;
    return out;
  }

  /** The limits of class `name`: what it stores over the built-in defaults, for the quotas that exist. */
  private async valuesOf(name: string): Promise<Record<string, number>> {
    const [known, stored] = await Promise.all([this.builtIn(), this.quotas.limits.stored(quotaClassKey(name))]);
    for (const k of Object.keys(known)) if (k in stored) known[k] = stored[k];
    return sortedKeys(known);
  }

  /** The defaults of every project's quotas: the `default` class. */
  defaults(): Promise<Record<string, number>> {
    return this.valuesOf('default');
  }

  async show(ctx: RequestContext, name: string): Promise<Record<string, unknown>> {
    authorizeAdmin(this.policy, ctx, RULES.get);
    return { ...(await this.valuesOf(name)), id: name };
  }

  /** Sets the given limits of the class; names of no quota are ignored, as upstream. Answers the whole class. */
  async update(ctx: RequestContext, name: string, given: Record<string, number | string>): Promise<Record<string, number>> {
    authorizeAdmin(this.policy, ctx, RULES.update);
    const known = await this.builtIn();
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(given)) if (k in known) values[k] = Number(v);
    const tooLong = Object.keys(values).filter((k) => k.length > MAX_QUOTA_NAME);
    if (tooLong.length > 0) {
      throw badRequest(`Invalid input received: the quota name(s) ${tooLong.join(', ')} are longer than the ${MAX_QUOTA_NAME} characters a quota class can hold here.`);
    }
    if (Object.keys(values).length > 0) await this.quotas.limits.set(quotaClassKey(name), values);
    return this.valuesOf(name);
  }
}
