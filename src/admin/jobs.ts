import { badRequest, notFound, isJsonObject, optionalQueryInt, type Json } from '../common/index.js';
import { ok, type GatewayRouter, type QueryParams } from '../gateway/index.js';
import { isoSeconds } from '../db/index.js';
import { JOB_STATUSES, JobNotFoundError, JobStateError, type JobRecord, type JobService, type JobStatus, type LogEntry } from '../xjob/index.js';
import { JobBody } from './schemas.js';
import { authorize, type AdminServices } from './deps.js';

const MAX_PAGE = 1000;
const FILTERS = ['type', 'status', 'project_id', 'resource_id'] as const;

function jobView(jobs: JobService, j: JobRecord) {
  const iso = (ms: number | null) => (ms === null ? null : isoSeconds(ms));
  return {
    id: j.id,
    type: j.type,
    project_id: j.projectId,
    resource_id: j.resourceId,
    resource: jobs.registry.resourceOf(j.type, j.resourceId),
    status: j.status,
    attempts: j.attempts,
    last_error: j.lastError,
    worker: j.worker,
    run_after: iso(j.runAfter),
    heartbeat_at: iso(j.heartbeatAt),
    created_at: isoSeconds(j.createdAt),
    updated_at: isoSeconds(j.updatedAt),
    timestamp: isoSeconds(j.updatedAt),
  };
}

function logView(e: LogEntry) {
  return { event: e.event, status: e.status, attempt: e.attempt, worker: e.worker, message: e.message, created_at: isoSeconds(e.createdAt) };
}

/** Store errors as API faults: unknown ids 404, state conflicts 400 (as the original's jobs API). */
async function translate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof JobNotFoundError) throw notFound(err.message);
    if (err instanceof JobStateError) throw badRequest(err.message);
    throw err;
  }
}

function jobId(raw: string): string {
  if (raw.length === 0 || raw.length > 36) throw notFound(`Job ${raw} could not be found.`);
  return raw;
}

function listQuery(q: QueryParams): { filter: { type?: string; status?: JobStatus; projectId?: string; resourceId?: string }; limit: number; marker?: string } {
  const unknown = Object.keys(q).filter((k) => !['limit', 'marker', ...FILTERS].includes(k));
  if (unknown.length > 0) throw badRequest(`Unsupported filter(s): ${unknown.join(', ')}`);
  for (const [k, v] of Object.entries(q)) if (typeof v !== 'string') throw badRequest(`Filter ${k} may be given only once.`);
  const str = (k: string) => (q[k] === undefined || q[k] === '' ? undefined : String(q[k]));
  let status: JobStatus | undefined;
  if (str('status') !== undefined) {
    const s = str('status')!.toUpperCase();
    if (!(JOB_STATUSES as readonly string[]).includes(s)) throw badRequest(`Invalid status ${str('status')}: expected one of ${JOB_STATUSES.join(', ')}`);
    status = s as JobStatus;
  }
  return {
    filter: { type: str('type'), status, projectId: str('project_id'), resourceId: str('resource_id') },
    limit: Math.max(1, optionalQueryInt(q, 'limit', MAX_PAGE) ?? MAX_PAGE),
    marker: str('marker'),
  };
}

export function jobRoutes(r: GatewayRouter, services: AdminServices): void {
  const { jobs } = services;

  const list = (path: '/jobs' | '/jobs/detail') =>
    r.get(path, async (call) => {
      authorize(services, call.ctx, 'admin_api:jobs:list');
      const q = call.query;
      const { filter, limit, marker } = listQuery(q);
      const rows = await jobs.store.list(filter, { limit: limit + 1, marker }).catch((err) => {
        throw err instanceof JobNotFoundError ? badRequest(err.message) : err;
      });
      const page = rows.slice(0, limit);
      const body: Json = { jobs: page.map((j) => jobView(jobs, j)) };
      if (rows.length > limit) {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(q)) if (k !== 'marker' && k !== 'limit') params.set(k, String(v));
        params.set('limit', String(limit));
        params.set('marker', page[page.length - 1].id);
        body.jobs_links = [{ rel: 'next', href: `${call.links.versioned}${path}?${params}` }];
      }
      return ok(body);
    });
  list('/jobs');
  list('/jobs/detail');

  r.get('/jobs/schemas', (call) => {
    authorize(services, call.ctx, 'admin_api:jobs:schemas');
    return ok({ schemas: jobs.registry.all().map((h) => ({ type: h.type, resource: [...h.resourceSchema], ...(h.description ? { description: h.description } : {}) })) });
  });

  r.post(
    '/jobs',
    async (call) => {
      const { type, project_id: projectId, resource } = call.body.job;
      const handler = jobs.registry.get(type);
      if (!handler) throw badRequest(`Job type ${type} is not supported; GET /v1.0/jobs/schemas lists the supported types.`);
      const given = Object.keys(resource);
      const missing = handler.resourceSchema.filter((k) => !given.includes(k));
      const extra = given.filter((k) => !handler.resourceSchema.includes(k));
      if (missing.length > 0 || extra.length > 0) {
        throw badRequest(
          `Resource of job type ${type} must have exactly the fields ${handler.resourceSchema.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`,
        );
      }
      const id = await jobs.submit({ type, projectId: projectId.trim(), resource });
      return ok({ job: jobView(jobs, await jobs.store.get(id)) });
    },
    { body: JobBody, authorize: (call) => authorize(services, call.ctx, 'admin_api:jobs:create') },
  );

  r.get('/jobs/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:jobs:show');
    return ok({ job: jobView(jobs, await translate(() => jobs.store.get(jobId(call.params.id)))) });
  });

  r.get('/jobs/:id/log', async (call) => {
    authorize(services, call.ctx, 'admin_api:jobs:show');
    const id = jobId(call.params.id);
    const entries = await jobs.store.history(id);
    if (entries.length === 0 && !(await jobs.store.find(id))) throw notFound(`Job ${id} could not be found.`);
    return ok({ job_log: entries.map(logView) });
  });

  r.put('/jobs/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:jobs:put');
    if (call.body !== undefined && call.body !== null && !isJsonObject(call.body)) throw badRequest('Malformed request body: expected nothing or a JSON object.');
    const job = await translate(() => jobs.store.redo(jobId(call.params.id)));
    jobs.signal([job.id]);
    return ok({ job: jobView(jobs, job) });
  });

  r.delete('/jobs/:id', async (call) => {
    authorize(services, call.ctx, 'admin_api:jobs:delete');
    await translate(() => jobs.store.remove(jobId(call.params.id)));
    return ok({});
  });
}
