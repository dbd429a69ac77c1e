/** Version documents, the extension list and availability zones of the top networking service. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../common/index.js';
import { listAvailabilityZones } from '../availabilityZones.js';
import type { NetworkDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { applyListInMemory } from './memoryList.js';
import { queryOf } from './collection.js';

const UPDATED = '2013-01-01T00:00:00Z';

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
];

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
      resources: RESOURCES.map(([name, collection]) => ({
        name,
        collection: collection.replace(/-/g, '_'),
        links: [{ rel: 'self', href: `${deps.publicUrl()}/v2.0/${collection}` }],
      })),
    };
  });

  app.get('/v2.0/extensions', async () => ({ extensions: EXTENSIONS.map(extensionView) }));

  app.get<{ Params: { alias: string } }>('/v2.0/extensions/:alias', async (req) => {
    const ext = EXTENSIONS.find((e) => e.alias === req.params.alias);
    if (!ext) throw notFound.extension(req.params.alias);
    return { extension: extensionView(ext) };
  });

  app.get('/v2.0/availability_zones', async (req) => {
    const zones = await listAvailabilityZones(deps.pods);
    return { availability_zones: applyListInMemory(zones, queryOf(req), ['name', 'resource', 'state']) };
  });
}
