/**
 * The pods' copies of top security groups: made when a port of the group first lands in a pod, kept
 * equal to the top (rules with remote groups expanded to CIDRs) as the group changes.
 */
export { SecurityGroupSync, SECURITY_GROUP_RESOURCE, type SecurityGroupSyncOptions, type TopGroupReader } from './sync.js';
export { neutronBottomSecurityGroups } from './neutronBottom.js';
export type { BottomSecurityGroupApi, BottomRule, BottomGroup } from './bottomApi.js';
