/** The pods' copies of QoS policies, RBAC sharing and the update-pushing jobs (issue 16). */
export { BootSharing, QosCopies, type QosNeutron } from './qosCopies.js';
export { sharingJobHandlers, syncNetwork, syncPort, syncQosPolicy, type SharingTools } from './jobs.js';
