/** Version documents, the extension list and availability zones of the top networking service. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../common/index.js';
import { listAvailabilityZones } from '../availabilityZones.js';
import type { NetworkDeps } from '../deps.js';
import { BREADTH_EXTENSIONS, BREADTH_RESOURCES } from '../breadthExtensions.js';
import { notFound } from '../errors.js';
import { applyListInMemory } from './memoryList.js';
import { queryOf } from './collection.js';

const UPDATED = '2013-01-01T00:00:00Z';

const SHARING_EXTENSIONS = [
  { alias: 'binding-extended', name: 'Port Bindings Extended', description: 'Expose port bindings of a virtual port to external application' },
  { alias: 'rbac-policies', name: 'RBAC Policies', description: 'Allows creation and modification of policies that control tenant access to resources.' },
  { alias: 'rbac-address-scope', name: 'RBAC for address scopes', description: 'RBAC entries of object type address_scope share an address scope with chosen projects.' },
  { alias: 'rbac-subnetpool', name: 'RBAC for subnet pools', description: 'RBAC entries of object type subnetpool share a subnet pool with chosen projects.' },
  { alias: 'rbac-security-groups', name: 'RBAC for security groups', description: 'RBAC entries of object type security_group share a security group with chosen projects.' },
  { alias: 'qos', name: 'Quality of Service', description: 'The Quality of Service extension.' },
  {
    alias: 'qos-bw-limit-direction',
    name: 'Direction for QoS bandwidth limit rule',
    description: 'Allow to configure QoS bandwidth limit rule with specific direction: ingress or egress',
  },
  {
    alias: 'qos-bw-minimum-ingress',
    name: 'QoS minimum bandwidth rule with ingress direction',
    description: 'Allow to configure QoS minumum bandwidth rule with ingress direction.',
  },
  { alias: 'qos-default', name: 'QoS default policy', description: 'Expose the QoS default policy per project' },
  { alias: 'qos-rule-type-details', name: 'Details of QoS rule types', description: 'Expose details about QoS rule types supported by loaded backend drivers' },
  {
    alias: 'qos-rules-alias',
    name: 'Quality of Service rules alias API',
    description: 'API to enable GET, PUT and DELETE operations on QoS policy rules without specifying policy ID',
  },
  { alias: 'qos-pps-minimum', name: 'QoS minimum packet rate rule', description: 'Adds support for the minimum packet rate QoS rule' },
  { alias: 'qos-pps', name: 'QoS packet rate limit rule', description: 'Adds support for the packet rate limit QoS rule' },
  { alias: 'trunk', name: 'Trunk Extension', description: 'Provides support for trunk ports' },
  { alias: 'trunk-details', name: 'Trunk port details', description: 'Expose trunk port details' },
  { alias: 'floating-ip-port-forwarding', name: 'Floating IP Port Forwarding', description: 'Allow to forward the port of the floating IP to a port of an internal IP.' },
  {
    alias: 'floating-ip-port-forwarding-port-ranges',
    name: 'Floating IP Port Forwarding support port ranges',
    description: 'Add suport to port ranges on floating IP port forwarding.',
  },
];

/** Extensions the service implements; `openstack extension list --network` and clients' feature checks read them. */
export const EXTENSIONS: { alias: string; name: string; description: string }[] = [
  { alias: 'allowed-address-pairs', name: 'Allowed Address Pairs', description: 'Provides allowed address pairs' },
  { alias: 'availability_zone', name: 'Availability Zone', description: 'The availability zone extension.' },
  { alias: 'binding', name: 'Port Binding', description: 'Expose port bindings of a virtual port to external application' },
  { alias: 'default-subnetpools', name: 'Default Subnetpools', description: 'Provides ability to mark and use a subnetpool as the default.' },
  {
    alias: 'ext-gw-mode',
    name: 'Neutron L3 Configurable external gateway mode',
    description: 'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway',
  },
  { alias: 'external-net', name: 'Neutron external network', description: 'Adds external network attribute to network resource.' },
  { alias: 'extra_dhcp_opt', name: 'Neutron Extra DHCP options', description: 'Extra options configuration for DHCP.' },
  { alias: 'extraroute', name: 'Neutron Extra Route', description: 'Extra routes configuration for L3 router' },
  {
    alias: 'extraroute-atomic',
    name: 'Atomically add/remove extra routes',
    description: 'Edit extra routes of a router on server side by atomically adding/removing extra routes',
  },
  { alias: 'filter-validation', name: 'Filter parameters validation', description: 'Provides validation on filter parameters.' },
  { alias: 'fip-port-details', name: 'Floating IP Port Details Extension', description: 'Add port_details attribute to Floating IP resource' },
  { alias: 'floatingip-pools', name: 'Floating IP Pools Extension', description: 'Provides a floating IP pools API.' },
  { alias: 'net-mtu', name: 'Network MTU', description: 'Provides MTU attribute for a network resource.' },
  { alias: 'net-mtu-writable', name: 'Network MTU (writable)', description: 'Provides a writable MTU attribute for a network resource.' },
  { alias: 'network_availability_zone', name: 'Network Availability Zone', description: 'Availability zone support for network.' },
  { alias: 'pagination', name: 'Pagination support', description: 'Extension that indicates that pagination is enabled.' },
  { alias: 'port-security', name: 'Port Security', description: 'Provides port security' },
  { alias: 'project-id', name: 'project_id field enabled', description: 'Extension that indicates that project_id field is enabled.' },
  { alias: 'provider', name: 'Provider Network', description: 'Expose mapping of virtual networks to physical networks' },
  { alias: 'quotas', name: 'Quota management support', description: 'Per-project quotas of networking resources' },
  { alias: 'quota_details', name: 'Quota details management support', description: 'Per-project quota usage' },
  {
    alias: 'router',
    name: 'Neutron L3 Router',
    description: 'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.',
  },
  { alias: 'router_availability_zone', name: 'Router Availability Zone', description: 'Availability zone support for router.' },
  { alias: 'security-group', name: 'security-group', description: 'The security groups extension.' },
  { alias: 'sorting', name: 'Sorting support', description: 'Extension that indicates that sorting is enabled.' },
  { alias: 'standard-attr-description', name: 'standard-attr-description', description: 'Extension to add descriptions to standard attributes' },
  { alias: 'standard-attr-revisions', name: 'Resource revision numbers', description: 'This extension will display the revision number of neutron resources.' },
  {
    alias: 'standard-attr-tag',
    name: 'Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip',
    description: 'Enables to set tag on resources with standard attribute.',
  },
  {
    alias: 'standard-attr-timestamp',
    name: 'Resource timestamps',
    description: 'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.',
  },
  { alias: 'subnet_allocation', name: 'Subnet Allocation', description: 'Enables allocation of subnets from a subnet pool' },
  // RBAC, QoS, trunks and port forwarding (issue 16, src/network/{rbac,qos,trunks,portForwarding}).
  ...SHARING_EXTENSIONS,
];

/** Every listed extension: the core ones above and those of the described resources, by alias. */
const allExtensions = () => [...new Map([...EXTENSIONS, ...BREADTH_EXTENSIONS].map((e) => [e.alias, e])).values()].sort((a, b) => a.alias.localeCompare(b.alias));

const extensionView = (e: (typeof EXTENSIONS)[number]) => ({ alias: e.alias, name: e.name, description: e.description, updated: UPDATED, links: [] });

const RESOURCES = [
  ['subnet', 'subnets'],
  ['subnetpool', 'subnetpools'],
  ['network', 'networks'],
  ['port', 'ports'],
  ['security_group', 'security-groups'],
  ['security_group_rule', 'security-group-rules'],
  ['availability_zone', 'availability_zones'],
  ['router', 'routers'],
  ['floatingip', 'floatingips'],
  ['floatingip_pool', 'floatingip_pools'],
  ['rbac_policy', 'rbac-policies'],
  ['policy', 'qos/policies'],
  ['trunk', 'trunks'],
] as const;

export const isPublicNeutronPath = (method: string, path: string): boolean => (method === 'GET' || method === 'HEAD') && path === '/';

export function discoveryRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  app.get('/', async () => ({
    versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${deps.publicUrl()}/v2.0` }] }],
  }));

  // Upstream lists the resources only at `/v2.0/`; without the trailing slash it answers 404.
  app.get('/v2.0', async (req) => {
    if (!req.url.split('?', 1)[0].endsWith('/')) throw new ApiError(404, 'The resource could not be found.', 'HTTPNotFound');
    return {
      resources: [...RESOURCES, ...BREADTH_RESOURCES].map(([name, collection]) => ({
        name,
        collection: collection.split('/').pop()!.replace(/-/g, '_'),
        links: [{ rel: 'self', href: `${deps.publicUrl()}/v2.0/${collection}` }],
      })),
    };
  });

  app.get('/v2.0/extensions', async () => ({ extensions: allExtensions().map(extensionView) }));

  app.get<{ Params: { alias: string } }>('/v2.0/extensions/:alias', async (req) => {
    const ext = allExtensions().find((e) => e.alias === req.params.alias);
    if (!ext) throw notFound.extension(req.params.alias);
    return { extension: extensionView(ext) };
  });

  app.get('/v2.0/availability_zones', async (req) => {
    const zones = await listAvailabilityZones(deps.pods);
    return { availability_zones: applyListInMemory(zones, queryOf(req), ['name', 'resource', 'state']) };
  });
}
