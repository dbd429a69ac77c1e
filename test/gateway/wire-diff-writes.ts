/**
 * The write side of the wire diff (test/gateway/wire-diff.test.ts): one call per served POST, PUT and
 * DELETE route (server, volume and type actions by action name), in an order that makes each call's
 * object exist, with upstream's status code. The runner compares each answer with the upstream
 * response samples of the same top-level keys, as for GET. Bodies are written here rather than taken
 * from the request samples because those name the ids of upstream's example objects.
 */

/** Ids by path parameter name (`server_id`), shared along a service's calls. */
export type Vars = Record<string, string>;

export interface WriteCase {
  /** `<METHOD> <path>` exactly as in the service's ROUTES.tsv. */
  route: string;
  /** Tells apart calls of one route (the action name). */
  label?: string;
  body?: (v: Vars) => unknown;
  /** Upstream's status code for this call. */
  status: number;
  /** Microversion to send; the answer is then compared with that version's samples. */
  version?: string;
  /** Remembers ids of what the call made. */
  save?: (body: any, v: Vars) => void;
  /** Waits until the object is ready for the next call. */
  wait?: (v: Vars) => Promise<void>;
  /** Upstream documents this answer's body without a sample file: status only. */
  noSample?: string;
  /** The sample to compare with (path below samples/), when its top-level keys are data. */
  sample?: string;
  /** Path parameters for this call only. */
  params?: (v: Vars) => Vars;
  /** The demo project's user makes the call (the admin otherwise). */
  demo?: boolean;
  /** Keys that may differ from the sample, and why. */
  allowed?: { keys: string[]; why: string };
  /** A route the service serves that its api-ref (ROUTES.tsv) does not list, and where it comes from. */
  offTable?: string;
}

export interface WriteWaits {
  server(v: Vars, statuses: string[]): Promise<void>;
  volume(v: Vars, id: string, statuses: string[]): Promise<void>;
  /** Polls `GET <service root><path>` until `<key>.status` is one of `statuses`. */
  status(path: string, key: string, statuses: string[]): Promise<void>;
}

const action =
  (name: string, args: unknown = null) =>
  () => ({ [name]: args });

/** The same calls at each microversion that has its own upstream sample (label `@<version>`). */
const atVersions = (versions: string[], make: (version: string) => WriteCase[]): WriteCase[] =>
  versions.flatMap((version) => make(version).map((c) => ({ ...c, version, label: `${c.label ? `${c.label} ` : ''}@${version}` })));

export function novaWrites(w: WriteWaits): WriteCase[] {
  const server =
    (...s: string[]) =>
    (v: Vars) =>
      w.server(v, s);
  return [
    {
      route: 'POST /servers',
      body: (v) => ({ server: { name: 'wd-w', imageRef: v.image_id, flavorRef: '1', networks: [{ uuid: v.network_id }] } }),
      status: 202,
      save: (b, v) => {
        v.server_id = b.server.id;
      },
      wait: server('ACTIVE'),
    },
    ...atVersions(['2.19', '2.32', '2.37', '2.42', '2.47', '2.52', '2.57', '2.63', '2.66', '2.67', '2.69', '2.71', '2.73', '2.74', '2.90'], () => [
      {
        route: 'POST /servers',
        body: (v) => ({ server: { name: 'wd-v', imageRef: v.image_id, flavorRef: '1', networks: [{ uuid: v.network_id }] } }),
        status: 202,
        save: (b, v) => {
          v.other_server_id = b.server.id;
        },
        wait: (v) => w.status(`/servers/${v.other_server_id}`, 'server', ['ACTIVE']),
      },
      { route: 'DELETE /servers/{server_id}', params: (v) => ({ server_id: v.other_server_id ?? '' }), status: 204 },
    ]),
    { route: 'PUT /servers/{server_id}', body: () => ({ server: { name: 'wd-w2' } }), status: 200 },
    // The 2.90 samples (and later) show a non-admin's view (OS-EXT-SRV-ATTR:hostname only): the admin's differs.
    ...atVersions(['2.19', '2.47', '2.63', '2.71', '2.73', '2.75'], () => [{ route: 'PUT /servers/{server_id}', body: () => ({ server: { name: 'wd-w2' } }), status: 200 }]),
    { route: 'POST /servers/{server_id}/metadata', body: () => ({ metadata: { k: 'v', a: 'b' } }), status: 200 },
    { route: 'PUT /servers/{server_id}/metadata', body: () => ({ metadata: { k: 'v' } }), status: 200 },
    { route: 'PUT /servers/{server_id}/metadata/{key}', body: () => ({ meta: { k: 'v2' } }), status: 200 },
    { route: 'DELETE /servers/{server_id}/metadata/{key}', status: 204 },
    { route: 'PUT /servers/{server_id}/tags', version: '2.26', body: () => ({ tags: ['t1', 't2'] }), status: 200 },
    { route: 'PUT /servers/{server_id}/tags/{tag}', version: '2.26', status: 201 },
    { route: 'DELETE /servers/{server_id}/tags/{tag}', version: '2.26', status: 204 },
    { route: 'DELETE /servers/{server_id}/tags', version: '2.26', status: 204 },
    { route: 'POST /servers/{server_id}/action', label: 'lock', body: action('lock'), status: 202 },
    { route: 'POST /servers/{server_id}/action', label: 'unlock', body: action('unlock'), status: 202 },
    { route: 'POST /servers/{server_id}/action', label: 'pause', body: action('pause'), status: 202, wait: server('PAUSED') },
    { route: 'POST /servers/{server_id}/action', label: 'unpause', body: action('unpause'), status: 202, wait: server('ACTIVE') },
    { route: 'POST /servers/{server_id}/action', label: 'suspend', body: action('suspend'), status: 202, wait: server('SUSPENDED') },
    { route: 'POST /servers/{server_id}/action', label: 'resume', body: action('resume'), status: 202, wait: server('ACTIVE') },
    { route: 'POST /servers/{server_id}/action', label: 'os-stop', body: action('os-stop'), status: 202, wait: server('SHUTOFF') },
    { route: 'POST /servers/{server_id}/action', label: 'os-start', body: action('os-start'), status: 202, wait: server('ACTIVE') },
    { route: 'POST /servers/{server_id}/action', label: 'reboot', body: action('reboot', { type: 'SOFT' }), status: 202, wait: server('ACTIVE') },
    {
      route: 'POST /servers/{server_id}/action',
      label: 'createImage (2.45)',
      version: '2.45',
      body: action('createImage', { name: 'wd-snap' }),
      status: 202,
      save: (b, v) => {
        v.snapshot_image_id = b.image_id;
      },
      wait: server('ACTIVE'),
    },
    { route: 'DELETE /images/{image_id}', params: (v) => ({ image_id: v.snapshot_image_id ?? '' }), status: 204 },
    {
      route: 'POST /servers/{server_id}/action',
      label: 'rebuild',
      body: (v) => ({ rebuild: { imageRef: v.image_id, name: 'wd-w3' } }),
      status: 202,
      wait: server('ACTIVE'),
    },
    ...atVersions(['2.19', '2.26', '2.47', '2.54', '2.57', '2.63', '2.71', '2.73', '2.75'], () => [
      {
        route: 'POST /servers/{server_id}/action',
        label: 'rebuild',
        body: (v) => ({ rebuild: { imageRef: v.image_id, name: 'wd-w3' } }),
        status: 202,
        wait: server('ACTIVE'),
      },
    ]),
    {
      route: 'POST /servers/{server_id}/action',
      label: 'addSecurityGroup',
      body: (v) => ({ addSecurityGroup: { name: v.security_group_name } }),
      status: 202,
    },
    {
      route: 'POST /servers/{server_id}/action',
      label: 'removeSecurityGroup',
      body: (v) => ({ removeSecurityGroup: { name: v.security_group_name } }),
      status: 202,
    },
    { route: 'POST /servers/{server_id}/action', label: 'injectNetworkInfo', body: action('injectNetworkInfo'), status: 202 },
    { route: 'POST /servers/{server_id}/action', label: 'os-resetState', body: action('os-resetState', { state: 'active' }), status: 202 },
    { route: 'POST /servers/{server_id}/action', label: 'shelve', body: action('shelve'), status: 202, wait: server('SHELVED', 'SHELVED_OFFLOADED') },
    { route: 'POST /servers/{server_id}/action', label: 'unshelve', body: action('unshelve'), status: 202, wait: server('ACTIVE') },
    {
      route: 'POST /servers/{server_id}/os-interface',
      body: (v) => ({ interfaceAttachment: { net_id: v.network_id } }),
      status: 200,
      save: (b, v) => {
        v.port_id = b.interfaceAttachment.port_id;
      },
    },
    { route: 'DELETE /servers/{server_id}/os-interface/{port_id}', status: 202 },
    ...atVersions(['2.49', '2.70'], () => [
      {
        route: 'POST /servers/{server_id}/os-interface',
        body: (v) => ({ interfaceAttachment: { net_id: v.network_id, tag: 'wd' } }),
        status: 200,
        save: (b, v) => {
          v.port_id = b.interfaceAttachment.port_id;
        },
      },
      { route: 'DELETE /servers/{server_id}/os-interface/{port_id}', status: 202 },
    ]),
    {
      route: 'POST /servers/{server_id}/os-volume_attachments',
      body: (v) => ({ volumeAttachment: { volumeId: v.volume_id } }),
      status: 200,
      wait: (v) => w.volume(v, v.volume_id, ['in-use']),
    },
    { route: 'DELETE /servers/{server_id}/os-volume_attachments/{volume_id}', status: 202, wait: (v) => w.volume(v, v.volume_id, ['available']) },
    ...atVersions(['2.49', '2.70', '2.79', '2.89'], (version) => [
      {
        route: 'POST /servers/{server_id}/os-volume_attachments',
        body: (v) => ({ volumeAttachment: { volumeId: v.volume_id, tag: 'wd', ...(Number(version.slice(2)) >= 79 ? { delete_on_termination: false } : {}) } }),
        status: 200,
        wait: (v) => w.volume(v, v.volume_id, ['in-use']),
      },
      { route: 'DELETE /servers/{server_id}/os-volume_attachments/{volume_id}', status: 202, wait: (v) => w.volume(v, v.volume_id, ['available']) },
    ]),
    {
      route: 'POST /os-volumes',
      body: () => ({ volume: { size: 1, display_name: 'wd-w', availability_zone: 'az1' } }),
      status: 200,
      allowed: {
        keys: ['volume.attachments[].device', 'volume.attachments[].id', 'volume.attachments[].serverId', 'volume.attachments[].volumeId'],
        why: 'Nova shows a volume attached nowhere with attachments [{}]; the sample is of an attached one',
      },
      save: (b, v) => {
        v.volume_id = b.volume.id;
      },
      wait: (v) => w.volume(v, v.volume_id, ['available']),
    },
    { route: 'DELETE /os-volumes/{volume_id}', status: 202 },
    {
      route: 'POST /flavors',
      body: () => ({ flavor: { name: 'wd-w', id: 'wd-w', ram: 64, vcpus: 1, disk: 1, 'os-flavor-access:is_public': false } }),
      status: 200,
      save: (b, v) => {
        v.flavor_id = b.flavor.id;
      },
    },
    { route: 'PUT /flavors/{flavor_id}', version: '2.55', body: () => ({ flavor: { description: 'wd' } }), status: 200 },
    {
      route: 'POST /flavors/{flavor_id}/os-extra_specs',
      body: () => ({ extra_specs: { 'hw:numa_nodes': '1', k: 'v' } }),
      status: 200,
      noSample: 'no os-flavor-extra-specs samples in this copy of the api-ref',
    },
    {
      route: 'PUT /flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}',
      body: () => ({ k: 'v2' }),
      status: 200,
      noSample: 'no os-flavor-extra-specs samples in this copy of the api-ref',
    },
    { route: 'DELETE /flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}', status: 200 },
    {
      route: 'POST /flavors/{flavor_id}/action',
      label: 'addTenantAccess',
      body: (v) => ({ addTenantAccess: { tenant: v.demo_project_id } }),
      status: 200,
      noSample: 'no os-flavor-access samples in this copy of the api-ref',
    },
    {
      route: 'POST /flavors/{flavor_id}/action',
      label: 'removeTenantAccess',
      body: (v) => ({ removeTenantAccess: { tenant: v.demo_project_id } }),
      status: 200,
      noSample: 'no os-flavor-access samples in this copy of the api-ref',
    },
    { route: 'DELETE /flavors/{flavor_id}', status: 202 },
    { route: 'POST /images/{image_id}/metadata', body: () => ({ metadata: { k: 'v', a: 'b' } }), status: 200 },
    { route: 'PUT /images/{image_id}/metadata', body: () => ({ metadata: { k: 'v' } }), status: 200 },
    { route: 'PUT /images/{image_id}/metadata/{key}', body: () => ({ meta: { k: 'v2' } }), status: 200 },
    { route: 'DELETE /images/{image_id}/metadata/{key}', status: 204 },
    {
      route: 'POST /os-keypairs',
      body: () => ({ keypair: { name: 'wd-w' } }),
      status: 200,
      save: (b, v) => {
        v.keypair_name = b.keypair.name;
      },
    },
    { route: 'DELETE /os-keypairs/{keypair_name}', status: 202 },
    { route: 'PUT /os-quota-sets/{tenant_id}', body: () => ({ quota_set: { instances: 50 } }), status: 200 },
    ...atVersions(['2.2', '2.10', '2.35'], (version) => [
      {
        route: 'POST /os-keypairs',
        body: () => ({ keypair: { name: `wd-${version.replace('.', '-')}`, type: 'ssh' } }),
        status: 201,
        save: (b, v) => {
          v.keypair_name = b.keypair.name;
        },
      },
      { route: 'DELETE /os-keypairs/{keypair_name}', status: 204 },
    ]),
    ...atVersions(['2.36', '2.57'], () => [{ route: 'PUT /os-quota-sets/{tenant_id}', body: () => ({ quota_set: { instances: 50 } }), status: 200 }]),
    { route: 'DELETE /os-quota-sets/{tenant_id}', status: 202 },
    {
      route: 'POST /os-security-groups',
      body: () => ({ security_group: { name: 'wd-w', description: 'wd' } }),
      status: 200,
      save: (b, v) => {
        v.security_group_id = b.security_group.id;
      },
    },
    { route: 'PUT /os-security-groups/{security_group_id}', body: () => ({ security_group: { name: 'wd-w2', description: 'wd2' } }), status: 200 },
    {
      route: 'POST /os-security-group-rules',
      body: (v) => ({ security_group_rule: { parent_group_id: v.security_group_id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/24' } }),
      status: 200,
      save: (b, v) => {
        v.security_group_rule_id = b.security_group_rule.id;
      },
    },
    { route: 'DELETE /os-security-group-rules/{security_group_rule_id}', status: 202 },
    { route: 'DELETE /os-security-groups/{security_group_id}', status: 202 },
    {
      route: 'POST /os-server-groups',
      body: () => ({ server_group: { name: 'wd-w', policies: ['affinity'] } }),
      status: 200,
      noSample: 'the api-ref shows the answer without a sample file in this copy',
      save: (b, v) => {
        v.server_group_id = b.server_group.id;
      },
    },
    { route: 'DELETE /os-server-groups/{server_group_id}', status: 204 },
    { route: 'DELETE /servers/{server_id}', status: 204 },
  ];
}

export function cinderWrites(w: WriteWaits): WriteCase[] {
  const volume =
    (...s: string[]) =>
    (v: Vars) =>
      w.volume(v, v.volume_id, s);
  const p = '/v3/{project_id}';
  /** A snapshot or backup of the volume made, waited for and deleted at each version. */
  const copiesAt = (versions: string[], collection: 'snapshots' | 'backups', key: 'snapshot' | 'backup') =>
    atVersions(versions, () => [
      {
        route: `POST ${p}/${collection}`,
        body: (v) => ({ [key]: { volume_id: v.volume_id, name: 'wd-v' } }),
        status: 202,
        save: (b, v) => {
          v[`${key}_id`] = b[key].id;
        },
        wait: (v) => w.status(`/v3/${v.project_id}/${collection}/${v[`${key}_id`]}`, key, ['available']),
      },
      { route: `DELETE ${p}/${collection}/{${key}_id}`, status: 202 },
    ]);
  return [
    {
      route: `POST ${p}/volumes`,
      body: () => ({ volume: { size: 1, name: 'wd-w', availability_zone: 'az1' } }),
      status: 202,
      save: (b, v) => {
        v.volume_id = b.volume.id;
      },
      wait: volume('available'),
    },
    ...atVersions(['3.13', '3.21', '3.48', '3.61', '3.63', '3.65', '3.69'], () => [
      {
        route: `POST ${p}/volumes`,
        body: () => ({ volume: { size: 1, name: 'wd-v', availability_zone: 'az1' } }),
        status: 202,
        save: (b, v) => {
          v.other_volume_id = b.volume.id;
        },
        wait: (v) => w.volume(v, v.other_volume_id ?? '', ['available']),
      },
      { route: `DELETE ${p}/volumes/{volume_id}`, params: (v) => ({ volume_id: v.other_volume_id ?? '' }), status: 202 },
    ]),
    { route: `PUT ${p}/volumes/{volume_id}`, body: () => ({ volume: { name: 'wd-w2', description: 'd' } }), status: 200 },
    ...atVersions(['3.13', '3.21', '3.48', '3.61', '3.63', '3.65', '3.69'], () => [
      { route: `PUT ${p}/volumes/{volume_id}`, body: () => ({ volume: { name: 'wd-w2' } }), status: 200 },
    ]),
    { route: `POST ${p}/volumes/{volume_id}/metadata`, body: () => ({ metadata: { k: 'v', a: 'b' } }), status: 200 },
    { route: `PUT ${p}/volumes/{volume_id}/metadata`, body: () => ({ metadata: { k: 'v' } }), status: 200 },
    { route: `PUT ${p}/volumes/{volume_id}/metadata/{key}`, body: () => ({ meta: { k: 'v2' } }), status: 200 },
    { route: `DELETE ${p}/volumes/{volume_id}/metadata/{key}`, status: 200 },
    { route: `POST ${p}/volumes/{volume_id}/action`, label: 'os-extend', body: action('os-extend', { new_size: 2 }), status: 202, wait: volume('available') },
    { route: `POST ${p}/volumes/{volume_id}/action`, label: 'os-set_bootable', body: action('os-set_bootable', { bootable: true }), status: 200 },
    {
      route: `POST ${p}/volumes/{volume_id}/action`,
      label: 'os-update_readonly_flag',
      body: action('os-update_readonly_flag', { readonly: false }),
      status: 202,
    },
    {
      route: `POST ${p}/volumes/{volume_id}/action`,
      label: 'os-set_image_metadata',
      body: action('os-set_image_metadata', { metadata: { image_name: 'x' } }),
      status: 200,
    },
    { route: `POST ${p}/volumes/{volume_id}/action`, label: 'os-show_image_metadata', body: action('os-show_image_metadata'), status: 200 },
    {
      route: `POST ${p}/volumes/{volume_id}/action`,
      label: 'os-unset_image_metadata',
      body: action('os-unset_image_metadata', { key: 'image_name' }),
      status: 200,
    },
    { route: `POST ${p}/volumes/{volume_id}/action`, label: 'os-reserve', body: action('os-reserve'), status: 202 },
    { route: `POST ${p}/volumes/{volume_id}/action`, label: 'os-unreserve', body: action('os-unreserve'), status: 202 },
    { route: `POST ${p}/volumes/{volume_id}/action`, label: 'os-reset_status', body: action('os-reset_status', { status: 'available' }), status: 202 },

    {
      route: `POST ${p}/types`,
      body: () => ({ volume_type: { name: 'wd-w', description: 'd', extra_specs: { k: 'v' }, 'os-volume-type-access:is_public': false } }),
      status: 200,
      save: (b, v) => {
        v.volume_type_id = b.volume_type.id;
        v.volume_type = b.volume_type.id;
      },
    },
    { route: `PUT ${p}/types/{volume_type_id}`, body: () => ({ volume_type: { description: 'd2' } }), status: 200 },
    { route: `POST ${p}/types/{volume_type_id}/extra_specs`, body: () => ({ extra_specs: { key1: 'v', a: 'b' } }), status: 200 },
    // The answer's only key is the spec's: named as in the sample.
    { route: `PUT ${p}/types/{volume_type_id}/extra_specs/{key}`, params: () => ({ key: 'key1' }), body: () => ({ key1: 'v2' }), status: 200 },
    { route: `DELETE ${p}/types/{volume_type_id}/extra_specs/{key}`, params: () => ({ key: 'key1' }), status: 202, offTable: "Cinder's types API (its api-ref omits it)" },
    {
      route: `POST ${p}/types/{volume_type}/action`,
      label: 'addProjectAccess',
      body: (v) => ({ addProjectAccess: { project: v.demo_project_id } }),
      status: 202,
    },
    {
      route: `POST ${p}/types/{volume_type}/action`,
      label: 'removeProjectAccess',
      body: (v) => ({ removeProjectAccess: { project: v.demo_project_id } }),
      status: 202,
    },
    {
      route: `POST ${p}/types/{volume_type_id}/encryption`,
      body: () => ({ encryption: { provider: 'luks', control_location: 'front-end', cipher: 'aes-xts-plain64', key_size: 256 } }),
      status: 200,
    },
    { route: `DELETE ${p}/types/{volume_type_id}`, status: 202 },
    {
      route: `POST ${p}/snapshots`,
      body: (v) => ({ snapshot: { volume_id: v.volume_id, name: 'wd-w' } }),
      status: 202,
      save: (b, v) => {
        v.snapshot_id = b.snapshot.id;
      },
    },
    { route: `PUT ${p}/snapshots/{snapshot_id}`, body: () => ({ snapshot: { name: 'wd-w2' } }), status: 200 },
    ...atVersions(['3.14', '3.41', '3.65'], () => [{ route: `PUT ${p}/snapshots/{snapshot_id}`, body: () => ({ snapshot: { name: 'wd-w2' } }), status: 200 }]),
    { route: `POST ${p}/snapshots/{snapshot_id}/metadata`, body: () => ({ metadata: { k: 'v' } }), status: 200 },
    { route: `PUT ${p}/snapshots/{snapshot_id}/metadata`, body: () => ({ metadata: { k: 'v' } }), status: 200 },
    { route: `PUT ${p}/snapshots/{snapshot_id}/metadata/{key}`, body: () => ({ meta: { k: 'v2' } }), status: 200 },
    { route: `DELETE ${p}/snapshots/{snapshot_id}/metadata/{key}`, status: 200, offTable: "Cinder's snapshot metadata API (its api-ref omits it)" },
    {
      route: `POST ${p}/snapshots/{snapshot_id}/action`,
      label: 'os-reset_status',
      body: action('os-reset_status', { status: 'available' }),
      status: 202,
    },
    { route: `DELETE ${p}/snapshots/{snapshot_id}`, status: 202 },
    ...copiesAt(['3.14', '3.41', '3.65'], 'snapshots', 'snapshot'),
    {
      route: `POST ${p}/qos-specs`,
      body: () => ({ qos_specs: { name: 'wd-w', consumer: 'back-end', read_iops_sec: '100' } }),
      status: 200,
      save: (b, v) => {
        v.qos_id = b.qos_specs.id;
      },
    },
    {
      route: `PUT ${p}/qos-specs/{qos_id}`,
      body: () => ({ qos_specs: { write_iops_sec: '50' } }),
      status: 200,
      sample: 'qos/qos-update-response.json',
      allowed: { keys: ['qos_specs'], why: 'the answer is the specs set, keyed by their names' },
    },
    { route: `PUT ${p}/qos-specs/{qos_id}/delete_keys`, body: () => ({ keys: ['write_iops_sec'] }), status: 202 },
    { route: `DELETE ${p}/qos-specs/{qos_id}`, status: 202 },
    { route: `PUT /v3/{admin_project_id}/os-quota-sets/{project_id}`, body: () => ({ quota_set: { volumes: 50 } }), status: 200 },
    {
      route: `POST ${p}/os-volume-transfer`,
      body: (v) => ({ transfer: { volume_id: v.volume_id, name: 'wd-w' } }),
      status: 202,
      save: (b, v) => {
        v.transfer_id = b.transfer.id;
      },
    },
    { route: `DELETE ${p}/os-volume-transfer/{transfer_id}`, status: 202 },
    {
      route: `PUT ${p}/os-services/disable`,
      body: (v) => ({ host: v.volume_host, binary: 'cinder-volume' }),
      status: 200,
    },
    {
      route: `PUT ${p}/os-services/enable`,
      body: (v) => ({ host: v.volume_host, binary: 'cinder-volume' }),
      status: 200,
    },
    {
      route: `PUT ${p}/os-services/disable-log-reason`,
      body: (v) => ({ host: v.volume_host, binary: 'cinder-volume', disabled_reason: 'wd' }),
      status: 200,
    },
    {
      route: `PUT ${p}/os-services/enable`,
      label: 'again',
      body: (v) => ({ host: v.volume_host, binary: 'cinder-volume' }),
      status: 200,
    },
    { route: `DELETE /v3/{admin_project_id}/os-quota-sets/{project_id}`, status: 200 },
    {
      route: `POST ${p}/volumes`,
      label: 'a volume to give away',
      body: () => ({ volume: { size: 1, name: 'wd-gift', availability_zone: 'az1' } }),
      status: 202,
      save: (b, v) => {
        v.gift_id = b.volume.id;
      },
      wait: (v) => w.volume(v, v.gift_id, ['available']),
    },
    {
      route: `POST ${p}/os-volume-transfer`,
      label: 'to accept',
      body: (v) => ({ transfer: { volume_id: v.gift_id, name: 'wd-gift' } }),
      status: 202,
      save: (b, v) => {
        v.transfer_id = b.transfer.id;
        v.auth_key = b.transfer.auth_key;
      },
    },
    {
      route: `POST ${p}/os-volume-transfer/{transfer_id}/accept`,
      demo: true,
      params: (v) => ({ project_id: v.demo_project_id }),
      body: (v) => ({ accept: { auth_key: v.auth_key } }),
      status: 202,
    },
    {
      route: `POST ${p}/backups`,
      body: (v) => ({ backup: { volume_id: v.volume_id, name: 'wd-w' } }),
      status: 202,
      save: (b, v) => {
        v.backup_id = b.backup.id;
      },
      wait: volume('available'),
    },
    { route: `DELETE ${p}/backups/{backup_id}`, status: 202 },
    ...copiesAt(['3.9', '3.18', '3.43', '3.45', '3.56'], 'backups', 'backup'),
    { route: `PUT ${p}/os-services/freeze`, body: (v) => ({ host: v.volume_host }), status: 200 },
    { route: `PUT ${p}/os-services/thaw`, body: (v) => ({ host: v.volume_host }), status: 200 },
    { route: `DELETE ${p}/volumes/{volume_id}`, status: 202 },
  ];
}

const INTERFACE_TAGS = {
  keys: ['tags'],
  why: "Neutron's router interface info (l3_db) has no tags; the api-ref sample shows them, tempest and the clients read none",
};

export function neutronWrites(): WriteCase[] {
  const saveId = (name: string, key: string) => (b: any, v: Vars) => {
    v[name] = b[key].id;
  };
  return [
    {
      route: 'POST /v2.0/networks',
      body: () => ({ network: { name: 'wd-w', availability_zone_hints: ['az1'] } }),
      status: 201,
      save: (b, v) => {
        v.network_id = b.network.id;
        v.resource_type = 'networks';
        v.resource_id = b.network.id;
      },
    },
    { route: 'PUT /v2.0/networks/{network_id}', body: () => ({ network: { name: 'wd-w2' } }), status: 200 },
    {
      route: 'POST /v2.0/networks',
      label: 'bulk',
      body: () => ({
        networks: [
          { name: 'wd-b1', availability_zone_hints: ['az1'] },
          { name: 'wd-b2', availability_zone_hints: ['az2'] },
        ],
      }),
      status: 201,
    },
    {
      route: 'POST /v2.0/subnets',
      body: (v) => ({ subnet: { network_id: v.network_id, cidr: '10.19.0.0/24', ip_version: 4 } }),
      status: 201,
      save: saveId('subnet_id', 'subnet'),
    },
    { route: 'PUT /v2.0/subnets/{subnet_id}', body: () => ({ subnet: { name: 'wd-w2' } }), status: 200 },
    { route: 'POST /v2.0/ports', body: (v) => ({ port: { network_id: v.network_id, name: 'wd-w' } }), status: 201, save: saveId('port_id', 'port') },
    { route: 'PUT /v2.0/ports/{port_id}', body: () => ({ port: { name: 'wd-w2' } }), status: 200 },
    { route: 'POST /v2.0/routers', body: () => ({ router: { name: 'wd-w' } }), status: 201, save: saveId('router_id', 'router') },
    { route: 'PUT /v2.0/routers/{router_id}', body: () => ({ router: { name: 'wd-w2' } }), status: 200 },
    {
      route: 'PUT /v2.0/routers/{router_id}/add_router_interface',
      body: (v) => ({ subnet_id: v.subnet_id }),
      status: 200,
      sample: 'routers/router-add-interface-response.json',
      allowed: INTERFACE_TAGS,
    },
    {
      route: 'PUT /v2.0/routers/{router_id}/add_extraroutes',
      body: () => ({ router: { routes: [{ destination: '10.30.0.0/24', nexthop: '10.19.0.5' }] } }),
      status: 200,
    },
    {
      route: 'PUT /v2.0/routers/{router_id}/remove_extraroutes',
      body: () => ({ router: { routes: [{ destination: '10.30.0.0/24', nexthop: '10.19.0.5' }] } }),
      status: 200,
    },
    {
      route: 'PUT /v2.0/routers/{router_id}/remove_router_interface',
      body: (v) => ({ subnet_id: v.subnet_id }),
      status: 200,
      sample: 'routers/router-remove-interface-response.json',
      allowed: INTERFACE_TAGS,
    },
    { route: 'DELETE /v2.0/routers/{router_id}', status: 204 },
    { route: 'POST /v2.0/security-groups', body: () => ({ security_group: { name: 'wd-w' } }), status: 201, save: saveId('security_group_id', 'security_group') },
    { route: 'PUT /v2.0/security-groups/{security_group_id}', body: () => ({ security_group: { name: 'wd-w2' } }), status: 200 },
    {
      route: 'POST /v2.0/security-group-rules',
      body: (v) => ({ security_group_rule: { security_group_id: v.security_group_id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80 } }),
      status: 201,
      save: saveId('security_group_rule_id', 'security_group_rule'),
    },
    { route: 'DELETE /v2.0/security-group-rules/{security_group_rule_id}', status: 204 },
    { route: 'DELETE /v2.0/security-groups/{security_group_id}', status: 204 },
    {
      route: 'POST /v2.0/subnetpools',
      body: () => ({ subnetpool: { name: 'wd-w', prefixes: ['10.40.0.0/16', '10.19.0.0/16'], min_prefixlen: 24 } }),
      status: 201,
      save: saveId('subnetpool_id', 'subnetpool'),
    },
    { route: 'PUT /v2.0/subnetpools/{subnetpool_id}', body: () => ({ subnetpool: { name: 'wd-w2' } }), status: 200 },
    { route: 'PUT /v2.0/subnetpools/{subnetpool_id}/add_prefixes', body: () => ({ prefixes: ['10.41.0.0/16'] }), status: 200 },
    { route: 'PUT /v2.0/subnetpools/{subnetpool_id}/remove_prefixes', body: () => ({ prefixes: ['10.41.0.0/16'] }), status: 200 },
    {
      route: 'PUT /v2.0/subnetpools/{subnetpool_id}/onboard_network_subnets',
      body: (v) => ({ network_id: v.network_id }),
      status: 200,
      sample: 'subnets/subnets-onboard-response.json',
      allowed: {
        keys: ['cidr', 'cidrs', 'network_id'],
        why: "open, for the network owner: the api-ref sample is one {subnetpool_id, cidr}, Neutron's plugin returns a list of {id, cidr} (db_base_plugin_v2), the gateway {network_id, subnetpool_id, cidrs}",
      },
    },

    { route: 'POST /v2.0/{resource_type}/{resource_id}/tags', body: () => ({ tags: ['red'] }), status: 201 },
    { route: 'PUT /v2.0/{resource_type}/{resource_id}/tags', body: () => ({ tags: ['red', 'blue'] }), status: 200 },
    { route: 'PUT /v2.0/{resource_type}/{resource_id}/tags/{tag}', status: 201 },
    { route: 'DELETE /v2.0/{resource_type}/{resource_id}/tags/{tag}', status: 204 },
    { route: 'DELETE /v2.0/{resource_type}/{resource_id}/tags', status: 204 },
    {
      route: 'POST /v2.0/networks',
      label: 'external',
      body: () => ({ network: { name: 'wd-ext', 'router:external': true, availability_zone_hints: ['Pod2'] } }),
      status: 201,
      save: (b, v) => {
        v.ext_network_id = b.network.id;
      },
    },
    {
      route: 'POST /v2.0/subnets',
      label: 'external',
      body: (v) => ({ subnet: { network_id: v.ext_network_id, cidr: '172.31.0.0/24', ip_version: 4 } }),
      status: 201,
    },
    {
      route: 'POST /v2.0/floatingips',
      body: (v) => ({ floatingip: { floating_network_id: v.ext_network_id, description: 'wd' } }),
      status: 201,
      save: saveId('floatingip_id', 'floatingip'),
    },
    { route: 'PUT /v2.0/floatingips/{floatingip_id}', body: () => ({ floatingip: { port_id: null, description: 'wd2' } }), status: 200 },
    { route: 'DELETE /v2.0/floatingips/{floatingip_id}', status: 204 },
    { route: 'PUT /v2.0/quotas/{project_id}', body: () => ({ quota: { network: 50 } }), status: 200 },
    { route: 'DELETE /v2.0/quotas/{project_id}', status: 204 },
    { route: 'DELETE /v2.0/ports/{port_id}', status: 204 },
    { route: 'DELETE /v2.0/subnets/{subnet_id}', status: 204 },
    { route: 'DELETE /v2.0/subnetpools/{subnetpool_id}', status: 204 },
    { route: 'DELETE /v2.0/networks/{network_id}', status: 204 },
  ];
}

/**
 * Served write routes no call above makes, by service, and why. A served route that is neither called
 * nor named here fails the test, so that a route someone serves is compared or explained.
 */
export const WRITES_NOT_CALLED: Record<'nova' | 'cinder' | 'neutron', [RegExp, string][]> = {
  nova: [
    [/ \/os-aggregates/, 'refused by design with a 400 that says so: aggregates are derived from the pods (Admin API)'],
    [
      / \/(os-assisted-volume-snapshots|os-floating-ips|os-hosts|os-quota-class-sets|os-server-external-events|os-services|os-snapshots)\b|os-server-password/,
      'no upstream sample for this API in this copy of the api-ref',
    ],
    [/^PUT \/servers\/\{server_id\}\/os-volume_attachments\//, 'swapping a volume needs a second attached volume; its upstream sample is the request only'],
  ],
  cinder: [
    [/\/backups\/(\{backup_id\}\/(action|restore)|import_record)/, 'backup restore, reset and import need a backup service behind the volume (none in the simulator)'],
    [/\/os-services\/(get-log|set-log|failover_host)$/, 'upstream has request samples only; failover needs replication the embedded cloud has not'],
    [/\/manageable_(volumes|snapshots)$/, 'no storage backend to adopt volumes or snapshots from'],
  ],
  neutron: [
    [
      /\/v2\.0\/(qos|address-groups|address-scopes|agents|metering|local_ips|log|ndp_proxies|trunks|service_profiles|flavors|rbac-policies|default-security-group-rules|security-groups-default-statefulness|network_segment_ranges)\b|conntrack_helpers|port_forwardings/,
      'no upstream sample for this resource in this copy of the api-ref',
    ],
    [/\/v2\.0\/segments/, 'a Tricircle network carries exactly one segment: adding one is refused by design (400 that says so)'],
    [/\/v2\.0\/auto-allocated-topology\//, 'no upstream sample; test/network/auto-allocate.test.ts deletes a topology'],
    [/\/bindings\//, 'a binding names a compute host of a pod; not called here'],
  ],
};
