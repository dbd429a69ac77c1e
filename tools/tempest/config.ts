// tempest.conf for the embedded cloud: what tempest must know of it (endpoints, credentials, image, flavors,
// public network) and which features it has. The feature switches are data: each `false` names what the
// simulated pods do not do, so that tempest skips those tests with its own reason instead of failing them.

/** What the runner learnt about the running cloud. */
export interface TempestSite {
  /** Keystone v3 URL (…/v3). */
  authUrl: string;
  region: string;
  admin: { username: string; password: string; projectName: string; domainName: string };
  imageRef: string;
  imageRefAlt: string;
  flavorRef: string;
  flavorRefAlt: string;
  publicNetworkId: string;
  publicNetworkName: string;
  /** Aliases the Neutron API lists at GET /v2.0/extensions. */
  networkExtensions: string[];
  /** The AZ where a server and its volume meet (one pod). */
  commonAz: string;
  logDir: string;
  /** Microversion ranges the gateways announce in their version documents. */
  computeMicroversions?: { min: string; max: string };
  volumeMicroversions?: { min: string; max: string };
  /** Catalog types tempest uses for compute, network and volume (default: the real ones). */
  catalogTypes?: { compute: string; network: string; volume: string };
  /** Seconds tempest waits for a server, volume or port to reach a state. */
  buildTimeout?: number;
}

export type ConfValue = string | number | boolean | string[];
export type ConfSections = Record<string, Record<string, ConfValue>>;

/**
 * Features the embedded cloud lacks, each with why; everything else tempest may use is on (its default), e.g.
 * pause, suspend, resize, rescue, shelve, snapshots, console output and interface attach, which the
 * simulated Nova does. See docs/conformance.md.
 */
export const FEATURES_OFF: Record<string, Record<string, string>> = {
  'compute-feature-enabled': {
    // The simulated pods have no guest: nothing reads a console, a password, a config drive or metadata.
    vnc_console: 'no noVNC proxy behind the console URL (tempest opens its websocket)',
    spice_console: 'the simulated Nova has no SPICE console',
    rdp_console: 'the simulated Nova has no RDP console',
    serial_console: 'no guest behind a serial console (tempest connects to it)',
    change_password: 'no guest agent to set a password in',
    config_drive: 'no guest to read a config drive',
    metadata_service: 'no metadata service',
    personality: 'file injection (personality) was removed upstream at microversion 2.57',
    // Migrations need two compute hosts in one pod; each simulated pod has one (and tempest.api.compute.admin is outside the selection).
    live_migration: 'one compute host per simulated pod: nowhere to migrate to',
    cold_migration: 'one compute host per simulated pod: nowhere to migrate to',
    attach_encrypted_volume: 'no key manager (Barbican)',
  },
  'volume-feature-enabled': {
    manage_volume: 'no storage backend to adopt volumes from',
    manage_snapshot: 'no storage backend to adopt snapshots from',
    extend_attached_volume: 'no hypervisor to tell of the new size',
    extend_attached_encrypted_volume: 'no key manager (Barbican)',
  },
  'network-feature-enabled': {
    ipv6: 'IPv6 not yet tried against the embedded cloud (the CI selection covers IPv4)',
  },
  validation: {
    run_validation: 'no guest to SSH into',
  },
  service_available: {
    swift: 'not part of the embedded cloud',
    heat: 'not part of the embedded cloud',
  },
};

/** The sections of tempest.conf, as data. */
export function tempestSections(site: TempestSite): ConfSections {
  const timeout = site.buildTimeout ?? 60;
  const sections: ConfSections = {
    DEFAULT: { log_dir: site.logDir, log_file: 'tempest.log' },
    auth: {
      // Each test class gets its own project and user, made with the admin credentials (Keystone admin calls).
      use_dynamic_credentials: true,
      create_isolated_networks: true,
      admin_username: site.admin.username,
      admin_password: site.admin.password,
      admin_project_name: site.admin.projectName,
      admin_domain_name: site.admin.domainName,
      default_credentials_domain_name: site.admin.domainName,
      tempest_roles: ['member'],
    },
    identity: { uri_v3: site.authUrl, auth_version: 'v3', region: site.region, v3_endpoint_type: 'publicURL', disable_ssl_certificate_validation: true },
    'identity-feature-enabled': { api_v2: false },
    compute: {
      region: site.region,
      image_ref: site.imageRef,
      image_ref_alt: site.imageRefAlt,
      flavor_ref: site.flavorRef,
      flavor_ref_alt: site.flavorRefAlt,
      compute_volume_common_az: site.commonAz,
      build_timeout: timeout,
      build_interval: 1,
      min_compute_nodes: 1,
      fixed_network_name: '',
      catalog_type: site.catalogTypes?.compute ?? 'compute',
      ...(site.computeMicroversions && { min_microversion: site.computeMicroversions.min, max_microversion: site.computeMicroversions.max }),
    },
    // Resize is off by tempest's default; the simulated Nova resizes (and confirms and reverts) within a pod.
    'compute-feature-enabled': { resize: true },
    network: {
      region: site.region,
      public_network_id: site.publicNetworkId,
      floating_network_name: site.publicNetworkName,
      project_network_cidr: '10.100.0.0/16',
      project_network_mask_bits: 28,
      project_networks_reachable: false,
      build_timeout: timeout,
      build_interval: 1,
      catalog_type: site.catalogTypes?.network ?? 'network',
    },
    'network-feature-enabled': { api_extensions: site.networkExtensions },
    volume: {
      region: site.region,
      catalog_type: site.catalogTypes?.volume ?? 'volumev3',
      build_timeout: timeout,
      build_interval: 1,
      ...(site.volumeMicroversions && { min_microversion: site.volumeMicroversions.min, max_microversion: site.volumeMicroversions.max }),
    },
    'volume-feature-enabled': {},
    image: { region: site.region },
    validation: {},
    service_available: { nova: true, neutron: true, cinder: true, glance: true },
  };
  for (const [section, switches] of Object.entries(FEATURES_OFF)) {
    sections[section] = { ...sections[section] };
    for (const key of Object.keys(switches)) sections[section][key] = false;
  }
  return sections;
}

/** Renders sections as an oslo.config INI file: lists comma-separated, booleans lower case. */
export function renderConf(sections: ConfSections): string {
  const lines: string[] = ['# Written by tools/tempest for the embedded cloud; see docs/conformance.md.'];
  for (const [section, values] of Object.entries(sections)) {
    lines.push('', `[${section}]`);
    for (const [key, value] of Object.entries(values)) {
      const text = Array.isArray(value) ? value.join(',') : String(value);
      if (/[\r\n]/.test(text)) throw new Error(`tempest.conf value of ${section}.${key} has a line break`);
      lines.push(`${key} = ${text}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function tempestConf(site: TempestSite): string {
  return renderConf(tempestSections(site));
}
