import type { Config } from '../config/index.js';

/** The `[cinder_apigw]` options the gateway's services use. */
export interface CinderSettings {
  /** Per-pod time limit of a cross-pod read (lists, limits, quotas), in ms. */
  listTimeoutMs: number;
  /** Largest list page. */
  maxLimit: number;
  /** How long a pod marked down is skipped by lists before it is asked again, in ms. */
  downPodProbeMs: number;
}

export function loadCinderSettings(config: Config): CinderSettings {
  const section = config.cinder_apigw;
  return {
    listTimeoutMs: Math.round(section.list_pod_timeout * 1000),
    maxLimit: section.max_limit,
    downPodProbeMs: Math.round(section.down_pod_probe_interval * 1000),
  };
}
