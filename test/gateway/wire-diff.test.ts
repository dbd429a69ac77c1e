/**
 * Wire diff: every GET route of upstream's route tables (../shared/openstack-api/<service>/ROUTES.tsv)
 * that a gateway serves is called with ids of real objects, and its answer is compared with the
 * upstream response samples that have the same top-level keys: same keys (both ways), same JSON
 * types, status 200. Ids, times and other values aside. Driven by the route tables and the sample
 * files only, so a route someone adds is covered once it is served; exceptions are listed below with
 * their reasons.
 *
 * Then the writes (POST, PUT, DELETE, actions): the calls of wire-diff-writes.ts, each with upstream's
 * status code, compared with the samples the same way. Which write routes are served is found by
 * calling each on made-up ids (nothing is changed by those); a served one that no call makes must be
 * named in WRITES_NOT_CALLED with its reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { http } from '../support/http.js';
import { openstackApiDir } from '../support/paths.js';
import { startNovaEnv, waitForStatus, type NovaEnv } from '../nova/support.js';
import { cinderWrites, neutronWrites, novaWrites, WRITES_NOT_CALLED, type Vars, type WriteCase, type WriteWaits } from './wire-diff-writes.js';

type ServiceName = 'nova' | 'cinder' | 'neutron';

interface Sample {
  file: string;
  /** The microversion of the sample's directory (`v2.47`), if any. */
  version?: string;
  body: Record<string, unknown>;
}

/**
 * Keys whose values are maps keyed by data (network names, metadata keys...), compared as maps of
 * one value type rather than key by key.
 */
const MAP_KEYS = new Set(['addresses', 'metadata', 'meta', 'extra_specs', 'specs', 'volume_image_metadata', 'usage', 'absolute', 'rate', 'binding:vif_details', 'binding:profile']);

/** Keys named by data inside an object of fixed keys: Cinder's per-volume-type quotas (`volumes_<type>`). */
const dataKey = (parent: string, k: string) => parent === 'quota_set' && /^(volumes|gigabytes|snapshots)_./.test(k);

/** Nova shows a volume attached nowhere with `attachments: [{}]`; the list samples show an attached one first. */
const UNATTACHED_KEYS = ['volumes[].attachments[].device', 'volumes[].attachments[].id', 'volumes[].attachments[].serverId', 'volumes[].attachments[].volumeId'];
const UNATTACHED_WHY = 'Nova lists a volume attached nowhere with attachments [{}]; the first volume listed here is one';

/**
 * Routes compared with known, accepted differences: `<service> <METHOD> <path>` → keys (dotted, `[]`
 * for array items) that may differ, and why.
 */
const EXCEPTIONS: Record<string, { keys: string[]; why: string }> = {
  'cinder GET /v3/{project_id}/scheduler-stats/get_pools': {
    keys: ['pools[].capabilities'],
    why: 'the only sample is the detailed answer (?detail=true); without it upstream lists the pool names only',
  },
  'neutron GET /v2.0/segments': {
    keys: ['segments[].tags'],
    why: 'segments carry standard attributes, tags included (standard-attr-tag); the sample predates that',
  },
  'neutron GET /v2.0/segments/{segment_id}': {
    keys: ['segment.tags'],
    why: 'segments carry standard attributes, tags included (standard-attr-tag); the samples predate that',
  },
  'neutron GET /v2.0/subnetpools': {
    keys: ['subnetpools[].min_prefixlen', 'subnetpools[].default_prefixlen', 'subnetpools[].max_prefixlen'],
    why: "the api-ref's list and show samples write the prefix lengths as strings, its create and update samples as numbers (Neutron stores integers); the gateway answers numbers everywhere",
  },
  'nova GET /os-volumes': { keys: UNATTACHED_KEYS, why: UNATTACHED_WHY },
  'nova GET /os-volumes/detail': { keys: UNATTACHED_KEYS, why: UNATTACHED_WHY },
  'nova GET /images/{image_id}': {
    keys: ['image.OS-DCF:diskConfig'],
    why: "Nova shows it only for an image with the auto_disk_config property; the simulator's images have none",
  },
};

/** Routes not compared here, and why. */
const NOT_COMPARED: Record<string, string> = {
  'cinder GET /v3/{project_id}/qos-specs/{qos_id}/disassociate_all': 'an action behind a GET (202, no body), not a read',
  'cinder GET /v3/{project_id}/qos-specs/{qos_id}/associate': 'an action behind a GET (202, no body; needs ?vol_type_id=), not a read',
  'cinder GET /v3/{project_id}/qos-specs/{qos_id}/disassociate': 'an action behind a GET (202, no body; needs ?vol_type_id=), not a read',
  'cinder GET /v3/{project_id}/types/{volume_type_id}/encryption/{key}': 'the type used here has no encryption (404, as upstream); test/cinder covers encryption',
  'neutron GET /v2.0/flavors/{flavor_id}': "{flavor_id} is filled with Nova's flavor here; Neutron flavors are compared by test/network/breadth.test.ts",
  'neutron GET /v2.0/auto-allocated-topology/{project_id}':
    'no upstream sample; a GET creates the topology (it needs a default external network and default subnet pools): test/network/auto-allocate.test.ts checks it',
  'neutron GET /v2.0/quotas/{project_id}/details.json':
    'its sample shares the top-level key with the plain quota answer, whose shape it does not have; test/quotas/network.test.ts checks it',
};

/**
 * Attributes of Neutron extensions the top Neutron does not offer (absent from its /v2.0/extensions):
 * upstream's samples are written with every extension loaded; a Neutron without them has no such keys.
 */
const NEUTRON_ABSENT_EXTENSION_KEYS: Record<string, string> = {
  dns_domain: 'dns-domain-ports / dns-integration',
  dns_name: 'dns-integration',
  dns_assignment: 'dns-integration',
  dns_publish_fixed_ip: 'subnet-dns-publish-fixed-ip',
  qos_policy_id: 'qos',
  qos_network_policy_id: 'qos-port-network-policy',
  data_plane_status: 'data-plane-status',
  resource_request: 'port-resource-request',
  propagate_uplink_status: 'uplink-status-propagation',
  hardware_offload_type: 'port-hardware-offload-type',
  trusted: 'port-trusted-vif',
  mac_learning_enabled: 'mac-learning',
  is_default: 'auto-allocated-topology',
  vlan_transparent: 'vlan-transparent',
  qinq: 'qinq',
  conntrack_helpers: 'l3-conntrack-helper',
  belongs_to_default_sg: 'security-groups-default-rules (newer than the top Neutron)',
  tags: 'standard-attr-tag on security group rules',
  port_forwardings: 'expose-port-forwarding-in-fip',
};

/**
 * Attributes the top Neutron answers that some upstream samples predate (newer Neutron releases add
 * them): `normalized_cidr` and `remote_address_group_id` on security group rules.
 */
const NEUTRON_NEWER_KEYS = new Set(['normalized_cidr', 'remote_address_group_id']);

function samplesOf(service: ServiceName): Sample[] {
  const root = join(openstackApiDir, service, 'samples');
  const out: Sample[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json') && !/(-req|-request)(\.|-)/.test(name) && !/req\.json$/.test(name)) {
        let body: unknown;
        try {
          body = JSON.parse(readFileSync(path, 'utf8'));
        } catch {
          continue;
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) continue;
        const version = relative(root, dir)
          .split('/')
          .find((p) => /^v\d+\.\d+$/.test(p));
        out.push({ file: relative(root, path), ...(version ? { version: version.slice(1) } : {}), body: body as Record<string, unknown> });
      }
    }
  };
  walk(root);
  return out;
}

/** The service's upstream routes, `<METHOD> <path>`, each once. */
function allRoutesOf(service: ServiceName): string[] {
  const routes = readFileSync(join(openstackApiDir, service, 'ROUTES.tsv'), 'utf8')
    .split('\n')
    .map((line) => line.split('\t')[1])
    .filter((r): r is string => /^[A-Z]+ \//.test(r ?? ''));
  return [...new Set(routes)];
}

function routesOf(service: ServiceName): string[] {
  return allRoutesOf(service)
    .filter((r) => r.startsWith('GET '))
    .map((r) => r.slice(4));
}

/** An answer that says the route itself is not there (rather than its object). */
const notServed = (res: { status: number; body?: any }) => {
  const message = res.body?.itemNotFound?.message ?? res.body?.NeutronError?.message;
  return res.status === 405 || (res.status === 404 && message === 'The resource could not be found.');
};

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Differences between an answer and a sample: missing and extra keys, and type changes. */
function diff(actual: unknown, sample: unknown, path = '', out: string[] = [], allowed: string[] = [], neutronRules = false): string[] {
  if (sample === null || actual === null || allowed.includes(path)) return out;
  if (kind(actual) !== kind(sample)) {
    out.push(`${path || '<root>'}: ${kind(actual)} instead of ${kind(sample)}`);
    return out;
  }
  if (Array.isArray(sample)) {
    const items = actual as unknown[];
    if (sample.length > 0 && items.length > 0) diff(items[0], sample[0], `${path}[]`, out, allowed, neutronRules);
    return out;
  }
  if (typeof sample !== 'object') return out;
  const a = actual as Record<string, unknown>;
  const s = sample as Record<string, unknown>;
  const key = path.split('.').pop()?.replace('[]', '') ?? '';
  if (MAP_KEYS.has(key)) return out;
  for (const k of Object.keys(s)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in a)) {
      if (!allowed.includes(p) && !(neutronRules && k in NEUTRON_ABSENT_EXTENSION_KEYS) && !dataKey(key, k)) out.push(`${p}: missing`);
    } else diff(a[k], s[k], p, out, allowed, neutronRules);
  }
  for (const k of Object.keys(a)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in s) && !allowed.includes(p) && !(neutronRules && NEUTRON_NEWER_KEYS.has(k)) && !dataKey(key, k)) out.push(`${p}: not upstream's`);
  }
  return out;
}

const topKeys = (o: Record<string, unknown>) => Object.keys(o).sort().join(',');

describe('wire diff against the upstream samples, for every route the gateways serve', () => {
  let env: NovaEnv;
  const ids: Record<string, string> = {};
  const serviceIds: Partial<Record<ServiceName, Record<string, string | undefined>>> = {};
  const results: { service: ServiceName; route: string; outcome: string }[] = [];
  const writeResults: { service: ServiceName; route: string; outcome: string }[] = [];

  before(async () => {
    env = await startNovaEnv({ withNeutron: true, services: ['cinder-apigw'] });
    const nova = (m: string, p: string, body?: unknown) => env.call('admin', m, p, { body });
    const neutron = (m: string, p: string, body?: unknown) => http(m, `${env.tc.urls['neutron-api']}${p}`, { token: env.tokens.admin, body });
    const cinder = (m: string, p: string, body?: unknown) => http(m, `${env.tc.urls['cinder-apigw']}/v3/${env.projects.admin}${p}`, { token: env.tokens.admin, body });
    const net = (await neutron('POST', '/v2.0/networks', { network: { name: 'wd-net', availability_zone_hints: ['az1'] } })).body.network;
    const sub = (await neutron('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4 } })).body.subnet;
    const sg = (await neutron('POST', '/v2.0/security-groups', { security_group: { name: 'wd-sg' } })).body.security_group;
    const rule = (
      await neutron('POST', '/v2.0/security-group-rules', {
        security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 },
      })
    ).body.security_group_rule;
    const router = (await neutron('POST', '/v2.0/routers', { router: { name: 'wd-router' } })).body.router;
    const boot = await nova('POST', '/servers', { server: { name: 'wd-vm', imageRef: env.imageId, flavorRef: '1', networks: [{ uuid: net.id }], metadata: { k: 'v' } } });
    assert.equal(boot.status, 202, boot.text);
    const server = boot.body.server.id as string;
    await waitForStatus(env, 'admin', server, ['ACTIVE']);
    const port = (await neutron('GET', `/v2.0/ports?device_id=${server}`)).body.ports[0];
    const keypair = (await nova('POST', '/os-keypairs', { keypair: { name: 'wd-key' } })).body.keypair;
    // A private flavor (upstream has no access list for public ones) with an extra spec, image metadata.
    const flavor = await nova('POST', '/flavors', { flavor: { name: 'wd-private', id: 'wd-p', ram: 64, vcpus: 1, disk: 1, 'os-flavor-access:is_public': false } });
    assert.equal(flavor.status, 200, flavor.text);
    await nova('POST', '/flavors/wd-p/os-extra_specs', { extra_specs: { k: 'v' } });
    await nova('POST', `/images/${env.imageId}/metadata`, { metadata: { k: 'v' } });
    const type = (await cinder('POST', '/types', { volume_type: { name: 'wd-type', extra_specs: { k: 'v' } } })).body.volume_type;
    const volume = (await cinder('POST', '/volumes', { volume: { size: 1, name: 'wd-vol', availability_zone: 'az1', metadata: { k: 'v' } } })).body.volume;
    for (let i = 0; i < 100 && (await cinder('GET', `/volumes/${volume.id}`)).body.volume.status !== 'available'; i++) await new Promise((r) => setTimeout(r, 50));
    // Before the volume is attached: a snapshot and a backup of it (each waited for), a QoS spec, and
    // another volume offered for transfer.
    const until = async (path: string, key: string) => {
      for (let i = 0; i < 200 && (await cinder('GET', path)).body?.[key]?.status !== 'available'; i++) await new Promise((r) => setTimeout(r, 50));
    };
    const snapshot = (await cinder('POST', '/snapshots', { snapshot: { volume_id: volume.id, name: 'wd-snap', metadata: { k: 'v' } } })).body.snapshot;
    await until(`/snapshots/${snapshot?.id}`, 'snapshot');
    const backup = (await cinder('POST', '/backups', { backup: { volume_id: volume.id, name: 'wd-backup' } })).body.backup;
    await until(`/backups/${backup?.id}`, 'backup');
    await until(`/volumes/${volume.id}`, 'volume');
    const qos = (await cinder('POST', '/qos-specs', { qos_specs: { name: 'wd-qos', consumer: 'back-end', read_iops_sec: '100' } })).body.qos_specs;
    const gift = (await cinder('POST', '/volumes', { volume: { size: 1, name: 'wd-gift', availability_zone: 'az1' } })).body.volume;
    await until(`/volumes/${gift?.id}`, 'volume');
    const transfer = (await cinder('POST', '/os-volume-transfer', { transfer: { volume_id: gift?.id, name: 'wd-transfer' } })).body.transfer;
    const attached = await nova('POST', `/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: volume.id } });
    assert.equal(attached.status, 200, attached.text);
    // Neutron: a floating IP on an external network, a subnet pool, the network's segment and tags.
    const ext = (await neutron('POST', '/v2.0/networks', { network: { name: 'wd-ext', 'router:external': true, availability_zone_hints: ['Pod2'] } })).body.network;
    await neutron('POST', '/v2.0/subnets', { subnet: { network_id: ext?.id, cidr: '172.29.0.0/24', ip_version: 4 } });
    const fip = (await neutron('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext?.id } })).body.floatingip;
    const pool = (await neutron('POST', '/v2.0/subnetpools', { subnetpool: { name: 'wd-pool', prefixes: ['10.50.0.0/16'], min_prefixlen: 24 } })).body.subnetpool;
    const segment = (await neutron('GET', `/v2.0/segments?network_id=${net.id}`)).body.segments?.[0];
    await neutron('PUT', `/v2.0/networks/${net.id}/tags`, { tags: ['red'] });
    const actions = (await nova('GET', `/servers/${server}/os-instance-actions`)).body.instanceActions ?? [];
    Object.assign(ids, {
      project_id: env.projects.admin,
      tenant_id: env.projects.admin,
      server_id: server,
      network_id: net.id,
      subnet_id: sub.id,
      port_id: port?.id,
      security_group_id: sg.id,
      security_group_rule_id: rule.id,
      router_id: router.id,
      flavor_id: 'wd-p',
      image_id: env.imageId,
      keypair_name: keypair?.name,
      volume_id: volume?.id,
      volume_type_id: type?.id,
      request_id: actions[0]?.request_id,
      key: 'k',
      snapshot_id: snapshot?.id,
      backup_id: backup?.id,
      qos_id: qos?.id,
      transfer_id: transfer?.id,
      admin_project_id: env.projects.admin,
      floatingip_id: fip?.id,
      subnetpool_id: pool?.id,
      segment_id: segment?.id,
      resource_type: 'networks',
      resource_id: net.id,
    });
    // Extension aliases differ by service: Nova's first listed one, Neutron's security groups.
    const novaExtensions = (await nova('GET', '/extensions')).body.extensions ?? [];
    serviceIds.nova = { alias: novaExtensions[0]?.alias };
    serviceIds.neutron = { alias: 'security-group' };
    await new Promise((r) => setTimeout(r, 300));
  });
  after(async () => {
    if (results.length > 0) {
      const compared = results.filter((r) => r.outcome === 'compared').length;
      process.stdout.write(`# wire diff: ${compared} routes compared, ${results.length - compared} skipped\n`);
      // WIRE_DIFF_VERBOSE=1: every route with its outcome (what to give an object to, what is not served).
      if (process.env.WIRE_DIFF_VERBOSE) for (const r of [...results, ...writeResults]) process.stdout.write(`#   ${r.service} ${r.route}: ${r.outcome}\n`);
    }
    if (writeResults.length > 0) {
      const compared = writeResults.filter((r) => r.outcome === 'compared').length;
      process.stdout.write(`# wire diff, writes: ${compared} calls compared, ${writeResults.length - compared} served write routes not called (WRITES_NOT_CALLED)\n`);
    }
    await env?.close();
  });

  const bases: Record<ServiceName, (route: string) => string | undefined> = {
    nova: (route) => `${env.tc.urls['nova-apigw']}/v2.1${route}`,
    cinder: (route) => (route.startsWith('/v3/') ? `${env.tc.urls['cinder-apigw']}${route}` : undefined),
    neutron: (route) => (route.startsWith('/v2.0/') ? `${env.tc.urls['neutron-api']}${route}` : undefined),
  };
  const versionHeader: Record<ServiceName, (v: string) => Record<string, string>> = {
    nova: (v) => ({ 'openstack-api-version': `compute ${v}` }),
    cinder: (v) => ({ 'openstack-api-version': `volume ${v}` }),
    neutron: () => ({}),
  };

  for (const service of ['nova', 'cinder', 'neutron'] as const) {
    test(`${service}: served GET routes answer 200 with upstream's keys and types`, async () => {
      const samples = samplesOf(service);
      const failures: string[] = [];
      for (const route of routesOf(service)) {
        const skipped = NOT_COMPARED[`${service} GET ${route}`];
        if (skipped) {
          results.push({ service, route, outcome: `not compared: ${skipped}` });
          continue;
        }
        const known = { ...ids, ...serviceIds[service] };
        const params = [...route.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
        if (params.some((p) => known[p] === undefined)) {
          results.push({ service, route, outcome: 'no object to address' });
          continue;
        }
        const url = bases[service](route.replace(/\{([a-z_]+)\}/g, (_m, p: string) => encodeURIComponent(known[p] ?? '')));
        if (!url) continue;
        const plain = await http('GET', url, { token: env.tokens.admin });
        // Not served (or not below this gateway's API): nothing to compare.
        if (notServed(plain)) {
          results.push({ service, route, outcome: `not served (${plain.status})` });
          continue;
        }
        if (plain.status !== 200) {
          failures.push(`GET ${route}: ${plain.status} ${plain.text.slice(0, 160)}`);
          continue;
        }
        if (!plain.body || typeof plain.body !== 'object') continue;
        const candidates = samples.filter((s) => topKeys(s.body) === topKeys(plain.body));
        if (candidates.length === 0) {
          results.push({ service, route, outcome: 'no sample with these keys' });
          continue;
        }
        const allowed = EXCEPTIONS[`${service} GET ${route}`]?.keys ?? [];
        let best: { file: string; diffs: string[] } | undefined;
        for (const sample of candidates) {
          const res = sample.version ? await http('GET', url, { token: env.tokens.admin, headers: versionHeader[service](sample.version) }) : plain;
          if (res.status !== 200 || !res.body || typeof res.body !== 'object') continue;
          const diffs = diff(res.body, sample.body, '', [], allowed, service === 'neutron');
          if (!best || diffs.length < best.diffs.length) best = { file: sample.file, diffs };
          if (diffs.length === 0) break;
        }
        results.push({ service, route, outcome: 'compared' });
        if (best && best.diffs.length > 0) failures.push(`GET ${route} vs ${best.file}: ${best.diffs.join('; ')}`);
      }
      assert.deepEqual(failures, [], `${failures.length} routes differ from upstream:\n${failures.join('\n')}`);
    });
  }

  const writeCases: Record<ServiceName, (w: WriteWaits) => WriteCase[]> = { nova: novaWrites, cinder: cinderWrites, neutron: () => neutronWrites() };
  const roots: Record<ServiceName, () => string> = {
    nova: () => `${env.tc.urls['nova-apigw']}/v2.1`,
    cinder: () => env.tc.urls['cinder-apigw'],
    neutron: () => env.tc.urls['neutron-api'],
  };
  /** The path with its parameters filled in, or undefined when one has no value (an earlier call failed). */
  const fill = (route: string, v: Vars) => {
    const missing = [...route.matchAll(/\{([a-z_-]+)\}/g)].find((m) => v[m[1]!] === undefined);
    return missing ? undefined : route.replace(/\{([a-z_-]+)\}/g, (_m, p: string) => encodeURIComponent(v[p]!));
  };

  for (const service of ['nova', 'cinder', 'neutron'] as const) {
    test(`${service}: served write routes answer upstream's status codes, keys and types`, async () => {
      const samples = samplesOf(service);
      const routes = allRoutesOf(service).filter((r) => !r.startsWith('GET '));
      const root = roots[service]();
      const token = env.tokens.admin;
      const waits: WriteWaits = {
        server: async (v, statuses) => {
          await waitForStatus(env, 'admin', v.server_id, statuses, 20_000);
        },
        volume: async (_v, id, statuses) => {
          for (let i = 0; i < 400; i++) {
            const res = await http('GET', `${env.tc.urls['cinder-apigw']}/v3/${env.projects.admin}/volumes/${id}`, { token });
            if (statuses.includes(res.body?.volume?.status)) return;
            await new Promise((r) => setTimeout(r, 50));
          }
          throw new Error(`volume ${id} did not become ${statuses.join('/')}`);
        },
        status: async (path, key, statuses) => {
          for (let i = 0; i < 400; i++) {
            const res = await http('GET', `${root}${path}`, { token });
            if (statuses.includes(res.body?.[key]?.status)) return;
            await new Promise((r) => setTimeout(r, 50));
          }
          throw new Error(`${path} did not become ${statuses.join('/')}`);
        },
      };
      const cases = writeCases[service](waits);
      const failures: string[] = [];
      for (const c of cases) if (!routes.includes(c.route) && !c.offTable) failures.push(`${c.route}: not an upstream route (ROUTES.tsv)`);

      // Which write routes are served: a call on made-up ids with an empty body answers the object's
      // 404 or a 400 from a served route, the kit's 404/405 from an unserved one. Nothing is changed.
      const madeUp: Vars = new Proxy({} as Vars, {
        get: (_t, p: string) => (p === 'project_id' || p === 'tenant_id' || p === 'admin_project_id' ? env.projects.admin : `wd-${p}-0`),
      });
      const served = new Set<string>();
      for (const route of routes) {
        const [method, path] = route.split(' ') as [string, string];
        if (method === 'DELETE' && cases.some((c) => c.route === route)) {
          served.add(route);
          continue;
        }
        const res = await http(method, root + fill(path, madeUp)!, { token, ...(method === 'DELETE' ? {} : { body: {} }) });
        if (!notServed(res)) served.add(route);
      }
      for (const route of served) {
        if (cases.some((c) => c.route === route)) continue;
        const why = WRITES_NOT_CALLED[service].find(([re]) => re.test(route))?.[1];
        if (why) writeResults.push({ service, route, outcome: `not called: ${why}` });
        else failures.push(`${route}: served, but neither called here nor named in WRITES_NOT_CALLED`);
      }

      // Nova attaches a volume of its own (the one made above is attached to the first server).
      let spareVolume = '';
      if (service === 'nova') {
        const url = `${env.tc.urls['cinder-apigw']}/v3/${env.projects.admin}/volumes`;
        spareVolume = (await http('POST', url, { token, body: { volume: { size: 1, name: 'wd-spare', availability_zone: 'az1' } } })).body.volume.id;
        await waits.volume({}, spareVolume, ['available']);
      }
      // A volume service to disable and enable again.
      const volumeServices = service === 'cinder' ? (await http('GET', `${root}/v3/${env.projects.admin}/os-services?binary=cinder-volume`, { token })).body.services : [];
      const v: Vars = {
        ...(volumeServices[0] ? { volume_host: volumeServices[0].host } : {}),
        ...ids,
        ...serviceIds[service],
        admin_project_id: env.projects.admin,
        demo_project_id: env.projects.demo,
        flavor_extra_spec_key: 'k',
        key: 'k',
        tag: 'green',
        security_group_name: 'wd-sg',
        ...(service === 'nova' ? { volume_id: spareVolume } : {}),
      };
      for (const c of cases) {
        const name = `${c.route}${c.label ? ` (${c.label})` : ''}`;
        const [method, path] = c.route.split(' ') as [string, string];
        const headers = c.version ? versionHeader[service](c.version) : {};
        const filled = fill(path, { ...v, ...c.params?.(v) });
        if (!filled) {
          failures.push(`${name}: not called, an earlier call did not make its object`);
          continue;
        }
        const res = await http(method, root + filled, {
          token: c.demo ? env.tokens.demo : token,
          headers,
          ...(c.body ? { body: c.body(v) } : {}),
        });
        writeResults.push({ service, route: name, outcome: 'compared' });
        if (res.status !== c.status) {
          failures.push(`${name}: ${res.status} instead of ${c.status}: ${res.text.slice(0, 200)}`);
          if (res.status >= 400) continue;
        }
        if (res.body && typeof res.body === 'object' && Object.keys(res.body).length > 0) {
          const candidates = samples.filter((s) => (c.sample ? s.file === c.sample : s.version === c.version && topKeys(s.body) === topKeys(res.body)));
          if (candidates.length === 0) {
            if (!c.noSample) failures.push(`${name}: no upstream sample with the keys ${topKeys(res.body)}`);
          } else {
            const best = candidates
              .map((s) => ({ file: s.file, diffs: diff(res.body, s.body, '', [], c.allowed?.keys ?? [], service === 'neutron') }))
              .sort((a, b) => a.diffs.length - b.diffs.length)[0]!;
            if (best.diffs.length > 0) failures.push(`${name} vs ${best.file}: ${best.diffs.join('; ')}`);
          }
        } else if (res.text.trim() !== '' && res.status === 204) failures.push(`${name}: a 204 with a body`);
        if (res.status < 400) {
          c.save?.(res.body, v);
          await c.wait?.(v);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} write calls differ from upstream:\n${failures.join('\n')}`);
    });
  }
});
