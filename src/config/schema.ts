/** Declarative option definitions: the single source for loading, validation, `config show` and the sample file. */
export type OptionDef =
  | { type: 'string'; default: string; help: string; secret?: boolean }
  | { type: 'int'; default: number; help: string; min?: number; max?: number }
  | { type: 'float'; default: number; help: string; min?: number; max?: number }
  | { type: 'bool'; default: boolean; help: string }
  | { type: 'list'; default: string[]; help: string }
  | { type: 'enum'; default: string; help: string; choices: readonly string[] };

const str = (def: string, help: string, secret = false) => ({ type: 'string' as const, default: def, help, secret });
const int = (def: number, help: string, min?: number, max?: number) => ({ type: 'int' as const, default: def, help, min, max });
const float = (def: number, help: string, min?: number, max?: number) => ({ type: 'float' as const, default: def, help, min, max });
const bool = (def: boolean, help: string) => ({ type: 'bool' as const, default: def, help });
const list = (def: string[], help: string) => ({ type: 'list' as const, default: def, help });
const oneOf = <C extends readonly string[]>(choices: C, def: C[number], help: string) => ({ type: 'enum' as const, default: def as string, help, choices });

const listener = (port: number, what: string) => ({
  bind_host: str('127.0.0.1', `Address the ${what} listens on.`),
  bind_port: int(port, `Port the ${what} listens on.`, 0, 65535),
  public_url: str('', `URL clients use to reach the ${what} (links in responses); default http://<bind_host>:<bind_port>.`),
});

export const SCHEMA = {
  DEFAULT: {
    auth_strategy: oneOf(['keystone', 'noauth'] as const, 'keystone', 'How API callers are authenticated. noauth is for development only.'),
    log_level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info', 'Minimum level of the JSON logs written to stderr.'),
    request_log_sample: float(1, 'Share of requests (0-1) written to the info-level request log line; 5xx answers are always written.', 0, 1),
    max_request_body_size: int(1048576, 'Largest accepted request body in bytes; larger bodies get 413.', 1024),
    policy_file: str('', 'YAML or JSON file overriding the default policy rules; empty uses the defaults in code.'),
  },
  database: {
    connection: str('sqlite:///tricircle.sqlite', 'SQLAlchemy-style URL of the Tricircle database: sqlite:///path, postgresql://..., mysql+pymysql://...', true),
    max_pool_size: int(10, 'Connections per process for PostgreSQL and MySQL.', 1, 1000),
    auto_migrate: bool(true, 'Bring the schema up to date when a service starts (otherwise run `tricircle db sync`).'),
  },
  admin_api: listener(19999, 'Admin API'),
  nova_apigw: {
    ...listener(19998, 'Nova API gateway'),
    list_pod_timeout: float(
      10,
      'Seconds each pod has to answer its part of a cross-pod server list; a pod that has not answered by then is left out and named in the x-tricircle-unavailable-pods header.',
      0.1,
    ),
    max_limit: int(1000, 'Largest page of a server, flavor or key pair list (Nova osapi_max_limit).', 1, 10000),
    down_pod_probe_interval: float(
      30,
      'Seconds a pod that failed a server list (or is marked down) is skipped by later lists and reported without being asked; 0 asks it every time.',
      0,
    ),
    version_cache_time: int(60, "Seconds the pods' compute version documents (their microversion ranges) are reused.", 0, 86400),
    route_cache_time: int(60, "Seconds a server's routing entry is reused without reading the database (deleted servers are noticed from the pod's 404).", 0, 3600),
    route_cache_size: int(50000, 'Most server routing entries kept in memory.', 1),
  },
  cinder_apigw: {
    ...listener(19997, 'Cinder API gateway'),
    list_pod_timeout: float(
      10,
      'Seconds each pod has to answer its part of a cross-pod volume list, limits or quota read; a pod that has not answered by then is left out and named in the x-tricircle-unavailable-pods header.',
      0.1,
    ),
    max_limit: int(1000, 'Most volumes one list page returns (Cinder osapi_max_limit).', 1, 10000),
    down_pod_probe_interval: float(30, 'Seconds between list attempts on a pod marked down; in between it is skipped and reported without being asked.', 0),
  },
  neutron: {
    ...listener(9696, 'top networking (Neutron) API'),
    list_pod_timeout: float(
      10,
      'Seconds each pod has to answer its part of a networking read that asks pods (the live status of ports); a pod that has not answered by then is left out and named in the x-tricircle-unavailable-pods header.',
      0.1,
    ),
  },
  tricircle: {
    type_drivers: list(
      ['local', 'vlan'],
      'Network types the top networking service offers (local: the network lives in one pod; vlan: one VLAN id shared by every pod the network spans; flat: a whole physical network, spanning pods; vxlan: one VNI, the network lives in one pod).',
    ),
    tenant_network_types: list(['vlan'], 'Network types given to tenant networks created without provider attributes, tried in order until one has a free segment.'),
    network_vlan_ranges: list(
      ['bridge:2001:3000'],
      'Physical networks and their VLAN ids for vlan networks: physnet:min:max, or physnet alone to allow only admin-chosen VLAN ids on it.',
    ),
    vni_ranges: list([], 'VXLAN VNI ranges (min:max) of the default vxlan network segment ranges; more ranges can be made through the network_segment_ranges API.'),
    flat_networks: list(['*'], "Physical networks flat networks may be created on ('*': any)."),
    bridge_network_type: str('vlan', 'Network type of the bridge networks that connect routers across pods.'),
    bridge_cidr: str('100.0.0.0/9', 'Address range the per-project bridge subnets are carved from.'),
    default_region_for_external_network: str(
      '',
      'Pod (region name) that hosts an external network created without availability_zone_hints; empty uses the only bottom pod when there is exactly one.',
    ),
    external_network_copy_at_create: bool(
      true,
      'Create the copy of an external network and of its subnets in their pod inside the create request, which fails (leaving nothing) when the pod fails; false leaves the copies to first use (router gateway, floating IP) and to the reconciler.',
    ),
  },
  images: {
    mode: oneOf(
      ['shared', 'copy'] as const,
      'shared',
      "How pods get the images users boot: shared (every pod's Glance already has them under the same id, e.g. one Glance for all regions) or copy (the top region's Glance is the source of truth; a boot in a pod whose Glance lacks the image copies it there first, same id and properties, as an image_copy job).",
    ),
    copy_wait: float(1800, 'Seconds a boot waits for the copy of its image into the pod (copy mode) before it fails with 503; the copy job itself goes on.', 1),
  },
  keystone_authtoken: {
    auth_url: str('http://127.0.0.1:5000/v3', "Keystone v3 URL used to validate callers' tokens."),
    token_cache_time: int(300, 'Seconds a validated token stays cached (never past its expiry).', 0, 86400),
    token_cache_size: int(10000, 'Most tokens kept in the validation cache.', 1),
    http_timeout: float(10, 'Seconds to wait for Keystone.', 0.1),
  },
  client: {
    auth_url: str('', 'Keystone v3 URL for the service account; empty uses [keystone_authtoken] auth_url.'),
    admin_username: str('admin', 'Service account user name (needs the admin role).'),
    admin_password: str('', 'Service account password.', true),
    admin_tenant: str('admin', 'Service account project name.'),
    admin_user_domain_name: str('Default', 'Domain of the service account user.'),
    admin_tenant_domain_name: str('Default', 'Domain of the service account project.'),
    top_region_name: str('RegionOne', 'Keystone region of Tricircle itself (the top pod).'),
    auto_refresh_endpoint: bool(true, 'Re-read the Keystone catalog when a pod endpoint is missing or unreachable.'),
    pod_timeout: float(60, 'Seconds to wait for a pod service on a single call.', 0.1),
  },
  xjob: {
    transport_url: str(
      '',
      'Bus that wakes job workers: empty for in-process signals (one process, or workers that find work by the periodic scan), or rabbit://user:password@host:5672/vhost (amqp:// also accepted; several hosts separated by commas) for RabbitMQ.',
      true,
    ),
    workers: int(4, 'Jobs one process runs at the same time.', 1, 256),
    heartbeat_interval: float(10, 'Seconds between the heartbeats a worker writes for each job it runs.', 0.1),
    job_run_expire: float(
      60,
      'Seconds without a heartbeat after which a running job counts as abandoned (its worker died) and is run again by another worker; compared on the database clock.',
      0.5,
    ),
    max_attempts: int(
      5,
      'Runs of a job (failures and abandoned runs included) before it is marked FAIL; a FAIL job runs again only when redone (admin API or `tricircle job redo`) or requested again.',
      1,
      1000,
    ),
    retry_backoff_base: float(
      2,
      'Seconds before the first retry of a failed job; each further retry waits twice as long, up to retry_backoff_cap, with up to 20% random jitter.',
      0,
    ),
    retry_backoff_cap: float(300, 'Longest wait in seconds between two retries of a failed job.', 0),
    retry_window: float(
      172800,
      'Seconds after its creation during which a failing job keeps being retried (every retry_backoff_cap at most) even past max_attempts; after that it is marked FAIL. 0: FAIL after max_attempts runs.',
      0,
    ),
    heal_interval: float(
      5,
      'Seconds between the checks for pods that came back (pods recorded down are probed); when one returns, every job waiting for a retry and every FAIL job within retry_window runs at once, and a reconcile is requested. 0 turns this off.',
      0,
    ),
    scan_interval: float(10, 'Seconds between the periodic scans of the job table, which pick up jobs whose bus signal was lost, retries that became due and abandoned jobs.', 0.1),
    shutdown_grace: float(30, 'Seconds a stopping worker waits for its running jobs to finish before it asks them to stop and hands them back.', 0),
    log_retention: float(604800, 'Seconds the job log (history of every job state change) is kept; older entries are pruned by the periodic scan. 0 keeps them forever.', 0),
    amqp_queue: str('tricircle.xjob', 'Durable RabbitMQ queue that carries job signals when transport_url names a RabbitMQ broker.'),
    reconcile_interval: float(
      300,
      'Seconds between the runs of the reconciler, which compares the top routers, floating IPs and external networks with the pods, requests the jobs that repair what drifted, and removes pod copies whose top object is gone. 0 turns the periodic runs off (a `reconcile` job can still be requested through the admin API).',
      0,
    ),
  },
} as const satisfies Record<string, Record<string, OptionDef>>;

type ValueOf<D> = D extends { type: 'int' | 'float' } ? number : D extends { type: 'bool' } ? boolean : D extends { type: 'list' } ? string[] : string;

export type Config = {
  -readonly [S in keyof typeof SCHEMA]: { -readonly [O in keyof (typeof SCHEMA)[S]]: ValueOf<(typeof SCHEMA)[S][O]> };
};
export type Section = keyof typeof SCHEMA;
