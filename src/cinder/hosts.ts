import type { Pod } from '../pods/index.js';

/** Separates the pod's region from a pod's own host, cluster or pool name: `Pod1:node@lvm#pool`. */
export const HOST_SEPARATOR = ':';

/** A pod's host name as the top shows it (prefixed with the pod's region); anything else unchanged. */
export const tagHost = (pod: Pod, host: unknown) => (typeof host === 'string' && host !== '' ? `${pod.regionName}${HOST_SEPARATOR}${host}` : host);
