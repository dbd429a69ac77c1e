// The API extensions this simulated Neutron advertises: only those whose behaviour it implements.

export interface ExtensionInfo {
  alias: string;
  name: string;
  description: string;
  updated: string;
  links: unknown[];
}

const EXTENSIONS: [alias: string, name: string, updated: string, description: string][] = [
  ['allowed-address-pairs', 'Allowed Address Pairs', '2013-07-23T10:00:00-00:00', 'Provides allowed address pairs'],
  ['availability_zone', 'Availability Zone', '2015-01-01T10:00:00-00:00', 'The availability zone extension.'],
  ['binding', 'Port Binding', '2014-02-03T10:00:00-00:00', 'Expose port bindings of a virtual port to external application'],
  ['dvr', 'Distributed Virtual Router', '2014-06-1T10:00:00-00:00', 'Enables configuration of Distributed Virtual Routers.'],
  ['empty-string-filtering', 'Empty String Filtering Extension', '2018-05-01T10:00:00-00:00', 'Allow filtering by attributes with empty string value'],
  [
    'ext-gw-mode',
    'Neutron L3 Configurable external gateway mode',
    '2013-03-28T10:00:00-00:00',
    'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway',
  ],
  ['external-net', 'Neutron external network', '2013-01-14T10:00:00-00:00', 'Adds external network attribute to network resource.'],
  [
    'extra_dhcp_opt',
    'Neutron Extra DHCP options',
    '2013-03-17T12:00:00-00:00',
    'Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)',
  ],
  ['extraroute', 'Neutron Extra Route', '2013-02-01T10:00:00-00:00', 'Extra routes configuration for L3 router'],
  [
    'extraroute-atomic',
    'Atomically add/remove extra routes',
    '2019-07-10T00:00:00-00:00',
    'Edit extra routes of a router on server side by atomically adding/removing extra routes',
  ],
  ['filter-validation', 'Filter parameters validation', '2018-03-21T10:00:00-00:00', 'Provides validation on filtering parameters.'],
  ['fip-port-details', 'Floating IP Port Details Extension', '2018-04-09T10:00:00-00:00', 'Add port_details attribute to Floating IP resource'],
  ['floatingip-pools', 'Floating IP Pools Extension', '2018-03-21T10:00:00-00:00', 'Provides a floating IP pools API.'],
  ['ip-substring-filtering', 'IP address substring filtering', '2017-11-28T09:00:00-00:00', 'Provides IP address substring filtering when listing ports'],
  ['ip_allocation', 'IP Allocation', '2016-06-10T23:00:00-00:00', 'IP allocation extension.'],
  ['l2_adjacency', 'L2 Adjacency', '2016-04-12T16:00:00-00:00', 'Display L2 Adjacency for Neutron Networks.'],
  ['l3-ha', 'HA Router extension', '2014-04-26T00:00:00-00:00', 'Adds HA capability to routers.'],
  ['net-mtu', 'Network MTU', '2015-03-25T10:00:00-00:00', 'Provides MTU attribute for a network resource.'],
  ['net-mtu-writable', 'Network MTU (writable)', '2017-07-12T00:00:00-00:00', 'Provides a writable MTU attribute for a network resource.'],
  ['network-ip-availability', 'Network IP Availability', '2015-09-24T00:00:00-00:00', 'Provides IP availability data for each network and subnet.'],
  ['network_availability_zone', 'Network Availability Zone', '2015-01-01T10:00:00-00:00', 'Availability zone support for network.'],
  ['pagination', 'Pagination support', '2016-06-12T00:00:00-00:00', 'Extension that indicates that pagination is enabled.'],
  ['port-security', 'Port Security', '2012-07-23T10:00:00-00:00', 'Provides port security'],
  ['project-id', 'project_id field enabled', '2016-09-09T09:09:09-09:09', 'Extension that indicates that project_id field is enabled.'],
  ['provider', 'Provider Network', '2012-09-07T10:00:00-00:00', 'Expose mapping of virtual networks to physical networks'],
  ['quota_details', 'Quota details management support', '2017-02-10T10:00:00-00:00', 'Expose functions for quotas usage statistics per project'],
  ['quotas', 'Quota management support', '2012-07-29T10:00:00-00:00', 'Expose functions for quotas management per tenant'],
  [
    'router',
    'Neutron L3 Router',
    '2012-07-20T10:00:00-00:00',
    'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.',
  ],
  ['router_availability_zone', 'Router Availability Zone', '2015-01-01T10:00:00-00:00', 'Availability zone support for router.'],
  ['security-group', 'security-group', '2012-10-05T10:00:00-00:00', 'The security groups extension.'],
  [
    'security-groups-normalized-cidr',
    'Normalized CIDR field for security group rules',
    '2020-07-31T00:00:00-00:00',
    'Add new field with normalized remote_ip_prefix cidr in SG rule',
  ],
  ['sorting', 'Sorting support', '2016-06-12T00:00:00-00:00', 'Extension that indicates that sorting is enabled.'],
  ['standard-attr-description', 'standard-attr-description', '2016-02-10T10:00:00-00:00', 'Extension to add descriptions to standard attributes'],
  ['standard-attr-revisions', 'Resource revision numbers', '2016-04-11T10:00:00-00:00', 'This extension will display the revision number of neutron resources.'],
  [
    'standard-attr-tag',
    'Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip',
    '2017-01-01T00:00:00-00:00',
    'Enables to set tag on resources with standard attribute.',
  ],
  [
    'standard-attr-timestamp',
    'Resource timestamps',
    '2016-09-12T10:00:00-00:00',
    'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.',
  ],
  ['stateful-security-group', 'Stateful security group', '2019-11-26T09:00:00-00:00', 'Indicates if the security group is stateful or not'],
  ['subnet-service-types', 'Subnet service types', '2016-03-15T18:00:00-00:00', 'Provides ability to set the subnet service_types field'],
  ['subnet-external-network', 'Subnet External Network', '2020-01-29T00:00:00-00:00', 'Informs if the subnet is associated to an external network.'],
  ['rbac-policies', 'RBAC Policies', '2015-06-17T12:15:12-00:00', 'Allows creation and modification of policies that control tenant access to resources.'],
  ['qos', 'Quality of Service', '2015-06-08T10:00:00-00:00', 'The Quality of Service extension.'],
  [
    'qos-bw-limit-direction',
    'Direction for QoS bandwidth limit rule',
    '2017-04-10T10:00:00-00:00',
    'Allow to configure QoS bandwidth limit rule with specific direction: ingress or egress',
  ],
  [
    'qos-bw-minimum-ingress',
    'QoS minimum bandwidth rule with ingress direction',
    '2018-07-09T10:00:00-00:00',
    'Allow to configure QoS minumum bandwidth rule with ingress direction.',
  ],
  ['trunk', 'Trunk Extension', '2015-01-01T10:00:00-00:00', 'Provides support for trunk ports'],
  ['trunk-details', 'Trunk port details', '2016-01-01T10:00:00-00:00', 'Expose trunk port details'],
  ['floating-ip-port-forwarding', 'Floating IP Port Forwarding', '2018-07-16T10:00:00-00:00', 'Allow to forward the port of the floating IP to a port of an internal IP.'],
  ['uplink-status-propagation', 'Uplink status propagation extension', '2018-11-07T00:00:00-00:00', 'Provides ability to propagate uplink status of physical to virtual ports'],
];

export function listExtensions(): ExtensionInfo[] {
  return EXTENSIONS.map(([alias, name, updated, description]) => ({ alias, name, description, updated, links: [] }));
}

export function findExtension(alias: string): ExtensionInfo | undefined {
  return listExtensions().find((e) => e.alias === alias);
}
