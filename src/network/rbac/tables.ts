/** Tables of RBAC policies, QoS, trunks and port forwardings (migration 0013_network_sharing). */

export interface RbacPoliciesTable {
  id: string;
  project_id: string;
  /** network, qos_policy, security_group, address_scope, subnetpool. */
  object_type: string;
  object_id: string;
  /** access_as_shared, access_as_external. */
  action: string;
  /** A project id, or '*' for every project. */
  target_project: string;
  created_at: number;
  updated_at: number;
}

export interface QosPoliciesTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  shared: number;
  is_default: number;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface QosDefaultPoliciesTable {
  project_id: string;
  policy_id: string;
}

export interface QosRulesTable {
  id: string;
  policy_id: string;
  rule_type: string;
  /** ingress, egress, any; '' for DSCP marking. */
  direction: string;
  /** JSON object of the type's attributes. */
  params: string;
  created_at: number;
}

export interface TrunksTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  port_id: string;
  admin_state_up: number;
  status: string;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

export interface TrunkSubportsTable {
  port_id: string;
  trunk_id: string;
  segmentation_type: string;
  segmentation_id: number;
}

export interface PortForwardingsTable {
  id: string;
  floatingip_id: string;
  internal_port_id: string;
  internal_ip_address: string;
  internal_port_start: number;
  internal_port_end: number;
  external_port_start: number;
  external_port_end: number;
  protocol: string;
  description: string;
  revision_number: number;
  created_at: number;
  updated_at: number;
}

declare module '../../db/tables.js' {
  interface Database {
    rbac_policies: RbacPoliciesTable;
    qos_policies: QosPoliciesTable;
    qos_default_policies: QosDefaultPoliciesTable;
    qos_rules: QosRulesTable;
    trunks: TrunksTable;
    trunk_subports: TrunkSubportsTable;
    port_forwardings: PortForwardingsTable;
  }
}
