import type { Command } from 'commander';
import { action } from './context.js';
import { connectAdmin, formatOption } from './adminSession.js';
import { printList, printObject, type OutputFormat } from './output.js';
import { registerPodCheckCommand } from './podCheckCommand.js';

type Row = Record<string, unknown>;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** --endpoint compute=http://... (repeatable) into {"compute": "http://..."}; an empty URL clears. */
function endpointMap(pairs: string[] | undefined): Record<string, string | null> | undefined {
  if (!pairs) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const i = p.indexOf('=');
      if (i <= 0) throw new Error(`--endpoint wants TYPE=URL, got ${p}`);
      return [p.slice(0, i), p.slice(i + 1) || null];
    }),
  );
}

const POD_COLUMNS = ['pod_id', 'region_name', 'az_name', 'pod_az_name', 'dc_name', 'disabled'];
const BINDING_COLUMNS = ['id', 'tenant_id', 'pod_id', 'is_binding', 'created_at'];
const ROUTING_COLUMNS = ['id', 'top_id', 'bottom_id', 'pod_id', 'project_id', 'resource_type'];

export function registerResourceCommands(program: Command): void {
  const pod = program.command('pod').description('pods (Keystone regions) known to Tricircle');
  const podBody = (o: Row) => ({
    pod: Object.fromEntries(
      Object.entries({
        region_name: o.regionName,
        az_name: o.azName,
        pod_az_name: o.podAzName,
        dc_name: o.dcName,
        disabled: o.disabled,
        endpoints: endpointMap(o.endpoint as string[] | undefined),
      }).filter(([, v]) => v !== undefined),
    ),
  });
  pod
    .command('create')
    .description('register a pod; without --az-name it is the top pod')
    .requiredOption('--region-name <name>', 'Keystone region of the pod')
    .option('--az-name <az>', 'availability zone users see (empty: the top pod)')
    .option('--pod-az-name <az>', 'availability zone inside the pod')
    .option('--dc-name <dc>', 'data centre')
    .option('--disabled', 'receive no new resources')
    .option('--endpoint <type=url>', 'override a service endpoint (repeatable)', collect)
    .option(...formatOption)
    .action(
      action(async (o: Row) => {
        const answer = (await (await connectAdmin(program)).call('POST', '/v1.0/pods', podBody(o))) as { pod: Row; warnings?: string[] };
        for (const w of answer.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        printObject(answer.pod, o.format as OutputFormat);
      }),
    );
  pod
    .command('list')
    .option(...formatOption)
    .action(action(async (o: Row) => printList(((await (await connectAdmin(program)).call('GET', '/v1.0/pods')) as { pods: Row[] }).pods, POD_COLUMNS, o.format as OutputFormat)));
  pod
    .command('show <pod-id>')
    .option(...formatOption)
    .action(
      action(async (id: string, o: Row) =>
        printObject(((await (await connectAdmin(program)).call('GET', `/v1.0/pods/${encodeURIComponent(id)}`)) as { pod: Row }).pod, o.format as OutputFormat),
      ),
    );
  pod
    .command('update <pod-id>')
    .option('--region-name <name>')
    .option('--az-name <az>')
    .option('--pod-az-name <az>')
    .option('--dc-name <dc>')
    .option('--disable', 'stop placing new resources in the pod')
    .option('--enable', 'place new resources in the pod again')
    .option('--endpoint <type=url>', 'override a service endpoint; TYPE= clears it (repeatable)', collect)
    .option(...formatOption)
    .action(
      action(async (id: string, o: Row) => {
        const body = podBody({ ...o, disabled: o.disable ? true : o.enable ? false : undefined });
        const res = (await (await connectAdmin(program)).call('PUT', `/v1.0/pods/${encodeURIComponent(id)}`, body)) as { pod: Row };
        printObject(res.pod, o.format as OutputFormat);
      }),
    );
  pod.command('delete <pod-id...>').action(
    action(async (ids: string[]) => {
      const client = await connectAdmin(program);
      for (const id of ids) await client.call('DELETE', `/v1.0/pods/${encodeURIComponent(id)}`);
    }),
  );
  registerPodCheckCommand(pod, program);

  const binding = program.command('binding').description('tenant to pod bindings');
  binding
    .command('create')
    .requiredOption('--project <project-id>', 'project (tenant) id')
    .requiredOption('--pod <pod-id>', 'bottom pod id')
    .option(...formatOption)
    .action(
      action(async (o: Row) => {
        const res = (await (await connectAdmin(program)).call('POST', '/v1.0/bindings', { pod_binding: { tenant_id: o.project, pod_id: o.pod } })) as { pod_binding: Row };
        printObject(res.pod_binding, o.format as OutputFormat);
      }),
    );
  binding
    .command('list')
    .option(...formatOption)
    .action(
      action(async (o: Row) =>
        printList(((await (await connectAdmin(program)).call('GET', '/v1.0/bindings')) as { pod_bindings: Row[] }).pod_bindings, BINDING_COLUMNS, o.format as OutputFormat),
      ),
    );
  binding
    .command('show <binding-id>')
    .option(...formatOption)
    .action(
      action(async (id: string, o: Row) =>
        printObject(((await (await connectAdmin(program)).call('GET', `/v1.0/bindings/${encodeURIComponent(id)}`)) as { pod_binding: Row }).pod_binding, o.format as OutputFormat),
      ),
    );
  binding.command('delete <binding-id...>').action(
    action(async (ids: string[]) => {
      const client = await connectAdmin(program);
      for (const id of ids) await client.call('DELETE', `/v1.0/bindings/${encodeURIComponent(id)}`);
    }),
  );

  const routing = program.command('routing').description('the routing table (top id to bottom id per pod)');
  routing
    .command('list')
    .option('--top-id <id>')
    .option('--bottom-id <id>')
    .option('--pod-id <id>')
    .option('--project-id <id>')
    .option('--resource-type <type>')
    .option('--limit <n>', 'page size; every page is fetched')
    .option(...formatOption)
    .action(
      action(async (o: Row) => {
        const rows = await (await connectAdmin(program)).listAll('routings', 'routings', {
          top_id: o.topId,
          bottom_id: o.bottomId,
          pod_id: o.podId,
          project_id: o.projectId,
          resource_type: o.resourceType,
          limit: o.limit,
        });
        printList(rows, ROUTING_COLUMNS, o.format as OutputFormat);
      }),
    );
  routing
    .command('show <routing-id>')
    .option(...formatOption)
    .action(
      action(async (id: string, o: Row) =>
        printObject(((await (await connectAdmin(program)).call('GET', `/v1.0/routings/${encodeURIComponent(id)}`)) as { routing: Row }).routing, o.format as OutputFormat),
      ),
    );
  routing
    .command('create')
    .requiredOption('--top-id <id>')
    .requiredOption('--bottom-id <id>')
    .requiredOption('--pod-id <id>')
    .requiredOption('--project-id <id>')
    .requiredOption('--resource-type <type>')
    .option(...formatOption)
    .action(
      action(async (o: Row) => {
        const body = { routing: { top_id: o.topId, bottom_id: o.bottomId, pod_id: o.podId, project_id: o.projectId, resource_type: o.resourceType } };
        printObject(((await (await connectAdmin(program)).call('POST', '/v1.0/routings', body)) as { routing: Row }).routing, o.format as OutputFormat);
      }),
    );
  routing.command('delete <routing-id...>').action(
    action(async (ids: string[]) => {
      const client = await connectAdmin(program);
      for (const id of ids) await client.call('DELETE', `/v1.0/routings/${encodeURIComponent(id)}`);
    }),
  );
}
