/**
 * `/v2.0/metering/metering-labels` and `/metering-label-rules` (extension metering): admin-only, as
 * upstream's policy; labels are held at the top, and deleting a label deletes its rules.
 */
import { ApiError } from '../../common/index.js';
import { invalidAttribute } from '../errors.js';
import { toBool, toStr, toSubnetCidr, toUuid } from '../input.js';
import { loose } from '../simple/service.js';
import type { SimpleResourceSpec } from '../simple/spec.js';

const labelNotFound = (id: string) => new ApiError(404, `Metering label ${id} does not exist.`, 'MeteringLabelNotFound');
const nullableCidr = (v: unknown, a: string) => (v === null ? null : toSubnetCidr(v, a));

export const meteringLabelSpec: SimpleResourceSpec = {
  resource: 'metering_label',
  collection: 'metering_labels',
  path: 'metering/metering-labels',
  table: 'metering_labels',
  policyName: 'metering_label',
  project: true,
  standard: false,
  visibility: 'admin',
  create: 'admin',
  modify: 'admin',
  noUpdate: true,
  notFound: labelNotFound,
  fields: {
    name: { kind: 'string', convert: toStr(255), default: '' },
    description: { kind: 'string', convert: toStr(1024), default: '' },
    shared: { kind: 'bool', convert: toBool, default: false },
  },
  async beforeDelete({ trx }, row) {
    await loose(trx).deleteFrom('metering_label_rules').where('metering_label_id', '=', row.id).execute();
  },
};

export const meteringRuleSpec: SimpleResourceSpec = {
  resource: 'metering_label_rule',
  collection: 'metering_label_rules',
  path: 'metering/metering-label-rules',
  table: 'metering_label_rules',
  policyName: 'metering_label_rule',
  project: true,
  standard: false,
  visibility: 'admin',
  create: 'admin',
  modify: 'admin',
  noUpdate: true,
  notFound: (id) => new ApiError(404, `Metering label rule ${id} does not exist.`, 'MeteringLabelRuleNotFound'),
  fields: {
    metering_label_id: { kind: 'string', required: true, convert: toUuid },
    direction: {
      kind: 'string',
      required: true,
      convert: (v, a) => {
        const d = toStr(36)(v, a);
        if (d !== 'ingress' && d !== 'egress') throw invalidAttribute(a, `'${d}' is not in ['ingress', 'egress']`);
        return d;
      },
    },
    remote_ip_prefix: { kind: 'string', convert: nullableCidr, default: null },
    source_ip_prefix: { kind: 'string', convert: nullableCidr, default: null },
    destination_ip_prefix: { kind: 'string', convert: nullableCidr, default: null },
    excluded: { kind: 'bool', convert: toBool, default: false },
  },
  async beforeCreate({ trx }, row) {
    const label = await loose(trx).selectFrom('metering_labels').select('project_id').where('id', '=', row.metering_label_id).executeTakeFirst();
    if (!label) throw labelNotFound(String(row.metering_label_id));
    row.project_id = label.project_id;
    if (row.remote_ip_prefix && (row.source_ip_prefix || row.destination_ip_prefix)) {
      throw new ApiError(400, 'Cannot use remote_ip_prefix with source_ip_prefix or destination_ip_prefix.', 'BadRequest');
    }
    if (!row.remote_ip_prefix && !row.source_ip_prefix && !row.destination_ip_prefix) {
      throw new ApiError(400, 'You must define at least one of the following parameters: remote_ip_prefix, source_ip_prefix, destination_ip_prefix.', 'BadRequest');
    }
    const same = await loose(trx)
      .selectFrom('metering_label_rules')
      .select('id')
      .where('metering_label_id', '=', row.metering_label_id)
      .where('direction', '=', row.direction)
      .where('excluded', '=', row.excluded ? 1 : 0)
      .where((eb) => eb.and((['remote_ip_prefix', 'source_ip_prefix', 'destination_ip_prefix'] as const).map((c) => (row[c] == null ? eb(c, 'is', null) : eb(c, '=', row[c])))))
      .executeTakeFirst();
    if (same) throw new ApiError(409, `Metering label rule with the same attributes already exists in metering label ${row.metering_label_id}.`, 'MeteringLabelRuleOverlaps');
  },
};
