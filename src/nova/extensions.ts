import { notFound } from '../common/index.js';

/**
 * `GET /extensions`: the v2.1 API has no extensions any more, but clients still list them to learn
 * what a cloud has. The gateway lists the API areas it serves (alias and name as upstream names
 * them; the descriptions are the gateway's own).
 */
const AREAS: [alias: string, name: string, description: string][] = [
  ['os-admin-actions', 'AdminActions', 'Server state resets and network resets for administrators.'],
  ['os-aggregates', 'Aggregates', 'Host aggregates (one per availability zone of the pods).'],
  ['os-assisted-volume-snapshots', 'AssistedVolumeSnapshots', 'Volume snapshots assisted by the compute service.'],
  ['os-attach-interfaces', 'AttachInterfaces', 'Ports attached to servers.'],
  ['os-availability-zone', 'AvailabilityZone', 'Availability zones of the region.'],
  ['os-console-auth-tokens', 'ConsoleAuthTokens', 'Console connection details by token.'],
  ['os-console-output', 'ConsoleOutput', 'Console logs of servers.'],
  ['os-create-backup', 'CreateBackup', 'Server backups with rotation.'],
  ['os-deferred-delete', 'DeferredDelete', 'Restore and force-delete of soft-deleted servers.'],
  ['os-evacuate', 'Evacuate', 'Rebuilding servers of a failed host elsewhere in their pod.'],
  ['os-extended-availability-zone', 'ExtendedAvailabilityZone', 'The availability zone in server views.'],
  ['os-extended-server-attributes', 'ExtendedServerAttributes', 'Host and instance attributes in server views.'],
  ['os-extended-status', 'ExtendedStatus', 'Task, VM and power state in server views.'],
  ['os-extended-volumes', 'ExtendedVolumes', 'Attached volumes in server views.'],
  ['os-flavor-access', 'FlavorAccess', 'Private flavors and the projects that may use them.'],
  ['os-flavor-extra-specs', 'FlavorExtraSpecs', 'Extra specs of flavors.'],
  ['os-flavor-manage', 'FlavorManage', 'Creating and deleting flavors.'],
  ['os-hosts', 'Hosts', 'Compute hosts of the pods.'],
  ['os-hypervisors', 'Hypervisors', 'Hypervisors of the pods.'],
  ['os-instance-actions', 'InstanceActions', 'Actions taken on servers.'],
  ['os-instance-usage-audit-log', 'OSInstanceUsageAuditLog', 'The instance usage audit log.'],
  ['os-keypairs', 'Keypairs', 'SSH key pairs.'],
  ['os-lock-server', 'LockServer', 'Locking servers.'],
  ['os-migrate-server', 'MigrateServer', 'Cold and live migration inside a pod.'],
  ['os-migrations', 'Migrations', 'Migrations of the pods.'],
  ['os-multinic', 'Multinic', 'Fixed IPs added to and removed from servers.'],
  ['os-pause-server', 'PauseServer', 'Pausing servers.'],
  ['os-quota-class-sets', 'QuotaClasses', 'The default quota class.'],
  ['os-quota-sets', 'Quotas', 'Project quotas.'],
  ['os-remote-consoles', 'RemoteConsoles', 'Remote consoles of servers.'],
  ['os-rescue', 'Rescue', 'Rescue mode.'],
  ['os-server-external-events', 'ServerExternalEvents', 'Events from other services about servers.'],
  ['os-server-groups', 'ServerGroups', 'Server groups with affinity and anti-affinity across pods.'],
  ['os-server-password', 'ServerPassword', 'Encrypted server passwords.'],
  ['os-server-tags', 'ServerTags', 'Server tags.'],
  ['os-services', 'Services', 'Compute services of the pods.'],
  ['os-shelve', 'Shelve', 'Shelving servers.'],
  ['os-simple-tenant-usage', 'SimpleTenantUsage', 'Usage of projects summed over the pods.'],
  ['os-suspend-server', 'SuspendServer', 'Suspending servers.'],
  ['os-volumes', 'Volumes', 'Volumes and snapshots (the Block Storage proxy).'],
  ['os-volume-attachments', 'VolumeAttachments', 'Volumes attached to servers.'],
  ['servers', 'Servers', 'Servers.'],
  ['flavors', 'Flavors', 'Flavors.'],
  ['images', 'Images', 'The Image service proxy.'],
  ['ips', 'Ips', 'Server addresses.'],
  ['limits', 'Limits', 'Absolute limits.'],
  ['os-server-migrations', 'ServerMigrations', 'Migrations of one server.'],
];

const view = ([alias, name, description]: (typeof AREAS)[number]) => ({
  alias,
  description,
  links: [],
  name,
  namespace: 'http://docs.openstack.org/compute/ext/fake_xml',
  updated: '2014-12-03T00:00:00Z',
});

export function listExtensions(): Record<string, unknown>[] {
  return [...AREAS].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(view);
}

export function showExtension(alias: string): Record<string, unknown> {
  const found = AREAS.find((a) => a[0] === alias);
  if (!found) throw notFound('Ext could not be found');
  return view(found);
}
