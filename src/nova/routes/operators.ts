import { answer, ok, stringEnum, Type, type GatewayRouter } from '../../gateway/index.js';
import type { ActivityService } from '../activity.js';
import { listExtensions, showExtension } from '../extensions.js';
import { ServerGroupCreate } from '../groups/schemas.js';
import type { ServerGroupService } from '../groups/service.js';
import type { InfraService } from '../infra.js';
import { uuidString } from '../parameters.js';
import { QuotaClassUpdate, type QuotaClassService } from '../quotaClasses.js';
import type { RoutedCalls } from '../routedCalls.js';
import type { ZoneService } from '../zones.js';

export interface OperatorRouteServices {
  groups: ServerGroupService;
  infra: InfraService;
  activity: ActivityService;
  quotaClasses: QuotaClassService;
  routed: RoutedCalls;
  zones: ZoneService;
}

const EVENT_NAMES = [
  'network-changed',
  'network-vif-plugged',
  'network-vif-unplugged',
  'network-vif-deleted',
  'volume-extended',
  'power-update',
  'accelerator-request-bound',
  'volume-reimaged',
] as const;

/** `POST /os-server-external-events`. */
const ExternalEvents = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          server_uuid: uuidString,
          name: stringEnum(EVENT_NAMES),
          status: Type.Optional(stringEnum(['failed', 'completed', 'in-progress'] as const)),
          tag: Type.Optional(Type.String({ maxLength: 255 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

/** `POST /os-assisted-volume-snapshots`. */
const AssistedSnapshot = Type.Object(
  { snapshot: Type.Object({ volume_id: Type.String({ minLength: 1 }), create_info: Type.Object({}) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

/**
 * Server groups, and what operators use: hypervisors, services, hosts, migrations, usage, the audit
 * log, external events, quota classes, extensions, assisted snapshots and console tokens.
 */
export function operatorRoutes(r: GatewayRouter, s: OperatorRouteServices): void {
  r.get('/os-server-groups', async (call) => ok({ server_groups: await s.groups.list(call) }));
  r.post('/os-server-groups', async (call) => ok({ server_group: await s.groups.create(call) }), { body: ServerGroupCreate });
  r.get('/os-server-groups/:server_group_id', async (call) => ok({ server_group: await s.groups.view(call, await s.groups.get(call.ctx, call.params.server_group_id)) }));
  r.delete('/os-server-groups/:server_group_id', async (call) => {
    await s.groups.delete(call, call.params.server_group_id);
    return answer(204);
  });

  r.get('/os-hypervisors', (call) => s.infra.listHypervisors(call, false));
  r.get('/os-hypervisors/detail', (call) => s.infra.listHypervisors(call, true));
  r.get('/os-hypervisors/statistics', (call) => s.infra.statistics(call), { maxVersion: '2.87' });
  r.get('/os-hypervisors/:hypervisor_id', (call) => s.infra.showHypervisor(call, call.params.hypervisor_id, ''));
  r.get('/os-hypervisors/:hypervisor_id/uptime', (call) => s.infra.showHypervisor(call, call.params.hypervisor_id, '/uptime'), { maxVersion: '2.87' });
  r.get('/os-hypervisors/:hypervisor_id/search', (call) => s.infra.searchHypervisors(call, call.params.hypervisor_id, false), { maxVersion: '2.52' });
  r.get('/os-hypervisors/:hypervisor_id/servers', (call) => s.infra.searchHypervisors(call, call.params.hypervisor_id, true), { maxVersion: '2.52' });

  r.get('/os-services', (call) => s.infra.listServices(call));
  r.put('/os-services/:service_id', (call) => s.infra.updateService(call, call.params.service_id));
  r.delete('/os-services/:service_id', (call) => s.infra.deleteService(call, call.params.service_id));

  const hosts = { maxVersion: '2.42' };
  r.get('/os-hosts', (call) => s.infra.listHosts(call), hosts);
  r.get('/os-hosts/:host_name', (call) => s.infra.host(call, call.params.host_name, 'GET'), hosts);
  r.put('/os-hosts/:host_name', (call) => s.infra.host(call, call.params.host_name, 'PUT'), hosts);
  for (const action of ['reboot', 'shutdown', 'startup'] as const) {
    r.get(`/os-hosts/:host_name/${action}`, (call) => s.infra.host(call, call.params.host_name, 'GET', `/${action}`), hosts);
  }

  r.get('/os-migrations', (call) => s.activity.migrations(call));
  r.get('/os-simple-tenant-usage', (call) => s.activity.tenantUsage(call));
  r.get('/os-simple-tenant-usage/:tenant_id', (call) => s.activity.tenantUsage(call, call.params.tenant_id));
  r.get('/os-instance_usage_audit_log', (call) => s.activity.auditLog(call));
  r.get('/os-instance_usage_audit_log/:before_timestamp', (call) => s.activity.auditLog(call, call.params.before_timestamp));
  r.post('/os-server-external-events', (call) => s.activity.externalEvents(call), { body: ExternalEvents });

  r.get('/os-quota-class-sets/:id', async (call) => ok({ quota_class_set: await s.quotaClasses.show(call, call.params.id) }));
  r.put('/os-quota-class-sets/:id', async (call) => ok({ quota_class_set: await s.quotaClasses.update(call, call.params.id) }), { body: QuotaClassUpdate });

  r.get('/extensions', () => ok({ extensions: listExtensions() }));
  r.get('/extensions/:alias', (call) => ok({ extension: showExtension(call.params.alias) }));

  r.post('/os-assisted-volume-snapshots', (call) => s.routed.createAssistedSnapshot(call), { body: AssistedSnapshot });
  r.delete('/os-assisted-volume-snapshots/:snapshot_id', (call) => s.routed.deleteAssistedSnapshot(call, call.params.snapshot_id));
  r.get('/os-console-auth-tokens/:console_token', (call) => s.routed.consoleToken(call, call.params.console_token), { minVersion: '2.31' });

  r.post('/os-aggregates/:aggregate_id/images', (call) => s.zones.refuseChange(call, 'compute:aggregates:images'), { minVersion: '2.81' });
}
