/**
 * How pods' copies are named. A copy is named by its top
 * object's id and nothing else: the name is the key that recovers a copy whose creator crashed before
 * recording it, and a name that carried the top name would go stale on rename. Reads at the top never
 * show bottom names.
 */

/** The name of a top object's copy in a pod. */
export const bottomName = (topId: string): string => topId;

/** device_id of a DHCP port made in advance; the pod's DHCP agent adopts such a port. */
export const RESERVED_DHCP_DEVICE_ID = 'reserved_dhcp_port';

/** Nova's device_owner for a server's port in an AZ. */
export const computeOwner = (az: string): string => `compute:${az || 'nova'}`;
