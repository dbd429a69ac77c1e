/**
 * Neutron flavors and service profiles (extension flavors): `/v2.0/flavors`,
 * `/v2.0/service_profiles`, and binding a profile to a flavor. Admins create them; everyone reads
 * flavors, only admins read profiles, as upstream's policy. A bound profile cannot be deleted.
 */
import { ApiError } from '../../common/index.js';
import { invalidAttribute } from '../errors.js';
import { toBool, toStr } from '../input.js';
import { loose } from '../simple/service.js';
import type { SimpleResourceSpec } from '../simple/spec.js';

export const SERVICE_TYPES = ['L3_ROUTER_NAT'];

export const flavorNotFound = (id: string) => new ApiError(404, `Flavor ${id} could not be found.`, 'FlavorNotFound');
export const profileNotFound = (id: string) => new ApiError(404, `Service Profile ${id} could not be found.`, 'ServiceProfileNotFound');

export const flavorSpec: SimpleResourceSpec = {
  resource: 'flavor',
  collection: 'flavors',
  path: 'flavors',
  table: 'service_flavors',
  policyName: 'flavor',
  project: false,
  standard: false,
  visibility: 'everyone',
  create: 'admin',
  modify: 'admin',
  notFound: flavorNotFound,
  fields: {
    name: { kind: 'string', put: true, convert: toStr(255), default: '' },
    description: { kind: 'string', put: true, convert: toStr(1024), default: '' },
    service_type: {
      kind: 'string',
      required: true,
      convert: (v, a) => {
        const t = toStr(36)(v, a);
        if (!SERVICE_TYPES.includes(t)) throw new ApiError(404, `Service type ${t} could not be found.`, 'InvalidFlavorServiceType');
        return t;
      },
    },
    enabled: { kind: 'bool', put: true, convert: toBool, default: true },
    service_profiles: { kind: 'json', post: false, default: [] },
  },
};

export const serviceProfileSpec: SimpleResourceSpec = {
  resource: 'service_profile',
  collection: 'service_profiles',
  path: 'service_profiles',
  table: 'service_profiles',
  policyName: 'service_profile',
  project: false,
  standard: false,
  visibility: 'admin',
  create: 'admin',
  modify: 'admin',
  notFound: profileNotFound,
  fields: {
    description: { kind: 'string', put: true, convert: toStr(1024), default: '' },
    driver: { kind: 'string', put: true, convert: toStr(1024), default: '' },
    enabled: { kind: 'bool', put: true, convert: toBool, default: true },
    metainfo: { kind: 'string', put: true, convert: toStr(4096), default: '' },
  },
  async beforeCreate(_ctx, row) {
    if (!row.driver && !row.metainfo) throw invalidAttribute('service_profile', 'Service Profile needs either a driver or metainfo');
  },
  async beforeDelete({ trx }, row) {
    const flavors = await loose(trx).selectFrom('service_flavors').select(['id', 'service_profiles']).execute();
    if (flavors.some((f) => (JSON.parse(String(f.service_profiles)) as string[]).includes(row.id))) {
      throw new ApiError(409, `Service Profile ${row.id} is used by some service instance.`, 'ServiceProfileInUse');
    }
  },
};
