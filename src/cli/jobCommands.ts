import type { Command } from 'commander';
import { action } from './context.js';
import { connectAdmin, formatOption } from './adminSession.js';
import { printList, printObject, type OutputFormat } from './output.js';

type Row = Record<string, unknown>;

const JOB_COLUMNS = ['id', 'type', 'resource_id', 'project_id', 'status', 'attempts', 'updated_at'];
const LOG_COLUMNS = ['created_at', 'event', 'status', 'attempt', 'worker', 'message'];

const jobPath = (id: string) => `/v1.0/jobs/${encodeURIComponent(id)}`;

/** `tricircle job list|show|create|redo|delete|schemas`: the asynchronous jobs through the Admin API. */
export function registerJobCommands(program: Command): void {
  const job = program.command('job').description('asynchronous jobs (XJob): list, inspect, redo, delete');
  job
    .command('list')
    .option('--status <status>', 'NEW, RUNNING, SUCCESS or FAIL')
    .option('--type <type>', 'job type')
    .option('--project-id <id>')
    .option('--resource-id <id>')
    .option('--limit <n>', 'page size; every page is fetched')
    .option(...formatOption)
    .action(
      action(async (o: Row) => {
        const rows = await (await connectAdmin(program)).listAll('jobs', 'jobs', {
          status: o.status,
          type: o.type,
          project_id: o.projectId,
          resource_id: o.resourceId,
          limit: o.limit,
        });
        printList(rows, JOB_COLUMNS, o.format as OutputFormat);
      }),
    );
  job
    .command('show <job-id>')
    .option('--log', "show the job's history instead")
    .option(...formatOption)
    .action(
      action(async (id: string, o: Row) => {
        const client = await connectAdmin(program);
        if (o.log) {
          printList(((await client.call('GET', `${jobPath(id)}/log`)) as { job_log: Row[] }).job_log, LOG_COLUMNS, o.format as OutputFormat);
          return;
        }
        printObject(((await client.call('GET', jobPath(id))) as { job: Row }).job, o.format as OutputFormat);
      }),
    );
  job
    .command('create')
    .description('request a job of a registered type (see `tricircle job schemas`)')
    .requiredOption('--type <type>', 'job type')
    .requiredOption('--project-id <id>', 'project the job belongs to')
    .requiredOption('--resource <key=value...>', 'resource fields of the type, e.g. --resource router_id=R')
    .option(...formatOption)
    .action(
      action(async (o: Row) => {
        const resource: Record<string, string> = {};
        for (const pair of o.resource as string[]) {
          const i = pair.indexOf('=');
          if (i <= 0) throw new Error(`--resource wants KEY=VALUE, got ${pair}`);
          resource[pair.slice(0, i)] = pair.slice(i + 1);
        }
        const res = (await (await connectAdmin(program)).call('POST', '/v1.0/jobs', { job: { type: o.type, project_id: o.projectId, resource } })) as { job: Row };
        printObject(res.job, o.format as OutputFormat);
      }),
    );
  job
    .command('redo <job-id>')
    .description('run a NEW or FAIL job again now, with a fresh attempt count')
    .option(...formatOption)
    .action(action(async (id: string, o: Row) => printObject(((await (await connectAdmin(program)).call('PUT', jobPath(id), {})) as { job: Row }).job, o.format as OutputFormat)));
  job
    .command('delete <job-id...>')
    .description('delete NEW or FAIL jobs')
    .action(
      action(async (ids: string[]) => {
        const client = await connectAdmin(program);
        for (const id of ids) await client.call('DELETE', jobPath(id));
      }),
    );
  job
    .command('schemas')
    .description('job types and their resource fields')
    .option(...formatOption)
    .action(
      action(async (o: Row) => {
        const res = (await (await connectAdmin(program)).call('GET', '/v1.0/jobs/schemas')) as { schemas: { type: string; resource: string[] }[] };
        printList(
          res.schemas.map((s) => ({ type: s.type, resource: s.resource.join(', ') })),
          ['type', 'resource'],
          o.format as OutputFormat,
        );
      }),
    );
}
