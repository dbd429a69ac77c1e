/**
 * `/v2.0/address-groups` (extension address-group) and their add_addresses / remove_addresses:
 * top-owned sets of CIDRs (a plain address is kept as /32 or /128), visible to their project.
 */
import { ApiError } from '../../common/index.js';
import { invalidAttribute } from '../errors.js';
import { isObject, toList, toStr } from '../input.js';
import { formatIp, parseCidr } from '../ip.js';
import type { SimpleResourceSpec } from '../simple/spec.js';

/** A list of CIDRs in canonical form (host bits cleared as upstream's netaddr does), without duplicates. */
export function toAddresses(value: unknown, attr: string): string[] {
  const out: string[] = [];
  for (const item of toList(value, attr)) {
    const text = typeof item === 'string' && !item.includes('/') ? `${item}/${item.includes(':') ? 128 : 32}` : item;
    const cidr = parseCidr(text);
    if (!cidr) throw invalidAttribute(attr, `'${String(item)}' is not a valid IP subnet`);
    const canonical = `${formatIp(cidr.version, cidr.first)}/${cidr.prefixLength}`;
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

export const addressGroupNotFound = (id: string) => new ApiError(404, `Address group ${id} could not be found.`, 'AddressGroupNotFound');

export const addressGroupSpec: SimpleResourceSpec = {
  resource: 'address_group',
  collection: 'address_groups',
  path: 'address-groups',
  table: 'address_groups',
  policyName: 'address_group',
  project: true,
  standard: true,
  tagType: 'address_groups',
  visibility: 'owner',
  create: 'anyone',
  modify: 'owner',
  notFound: addressGroupNotFound,
  fields: {
    name: { kind: 'string', put: true, convert: toStr(255), default: '' },
    description: { kind: 'string', put: true, convert: toStr(255), default: '' },
    addresses: { kind: 'json', convert: toAddresses, default: [] },
  },
};

/** The `addresses` of an add/remove body. */
export function addressesOf(body: unknown): string[] {
  if (!isObject(body) || body.addresses === undefined) throw invalidAttribute('addresses', 'Invalid addresses body');
  return toAddresses(body.addresses, 'addresses');
}
