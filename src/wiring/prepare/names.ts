/**
 * How pods' copies are named and how Tricircle's own top ports are keyed. A copy is named by its top
 * object's id and nothing else: the name is the key that recovers a copy whose creator crashed before
 * recording it, and a name that carried the top name would go stale on rename. Reads at the top never
 * show bottom names.
 */

/** The name of a top object's copy in a pod. */
export const bottomName = (topId: string): string => topId;

/** reserved_for key of a network's DHCP port, shared by every pod (same IPs and MAC everywhere). */
export const dhcpPortKey = (networkId: string): string => `dhcp:${networkId}`;

/** reserved_for key of a pod's own gateway address on a subnet (networks that span pods). */
export const gatewayPortKey = (podId: string, subnetId: string): string => `interface:${podId}:${subnetId}`;

/** device_id of a DHCP port made in advance; the pod's DHCP agent adopts such a port. */
export const RESERVED_DHCP_DEVICE_ID = 'reserved_dhcp_port';

/**
 * Key in a top port's binding profile marking a port this service created for a server (deleted with
 * the server), as opposed to a port the user passed in (kept and unbound). Never shown in reads.
 */
export { CREATED_FOR_SERVER_KEY as CREATED_FOR_SERVER } from '../../network/ports/model.js';

/** Nova's device_owner for a server's port in an AZ. */
export const computeOwner = (az: string): string => `compute:${az || 'nova'}`;
