import type { ImageCopier } from '../imagecopy/index.js';
import type { Config } from '../config/index.js';
import type { BodyValidator } from '../gateway/index.js';
import type { ServerNetworkPreparer } from '../wiring/index.js';
import type { PodScheduler } from '../pods/index.js';
import type { CoreServices } from '../services.js';
import type { PodDirectory } from './podDirectory.js';
import type { PodVersionRanges } from './versionRange.js';

/** `[nova_apigw]` options, in the units the code uses. */
export interface NovaSettings {
  listPodTimeoutMs: number;
  maxLimit: number;
  downPodProbeIntervalMs: number;
  versionCacheMs: number;
  routeCacheMs: number;
  routeCacheSize: number;
}

export function novaSettings(config: Config): NovaSettings {
  const c = config.nova_apigw;
  return {
    listPodTimeoutMs: c.list_pod_timeout * 1000,
    maxLimit: c.max_limit,
    downPodProbeIntervalMs: c.down_pod_probe_interval * 1000,
    versionCacheMs: c.version_cache_time * 1000,
    routeCacheMs: c.route_cache_time * 1000,
    routeCacheSize: c.route_cache_size,
  };
}

/** What the gateway's services are built from (once per process, in module.ts). */
export interface NovaDeps {
  core: CoreServices;
  settings: NovaSettings;
  /** The gateway's public base URL (no trailing slash); known once the listener is bound. */
  publicUrl(): string;
  pods: PodDirectory;
  versions: PodVersionRanges;
  scheduler: PodScheduler;
  /** The top networking service's boot-time preparation; absent while networking is not available. */
  networks?: ServerNetworkPreparer;
  /** Copy mode of `[images]`: brings a boot's image into its pod first. */
  images?: ImageCopier;
  /** Request bodies in Nova's message style. */
  validator: BodyValidator;
}
