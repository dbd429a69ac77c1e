import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import { dbNow, isUniqueViolation, type Database, type Db, type Dialect } from '../db/index.js';
import { jobKey } from './keys.js';
import { dialectOf, inTransaction } from './tx.js';
import './tables.js';

export const JOB_STATUSES = ['NEW', 'RUNNING', 'SUCCESS', 'FAIL'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job row, or a finished job found in the log (`fromLog`). Times are epoch ms of the database clock. */
export interface JobRecord {
  id: string;
  type: string;
  resourceId: string;
  projectId: string;
  status: JobStatus;
  attempts: number;
  lastError: string | null;
  worker: string | null;
  runAfter: number | null;
  heartbeatAt: number | null;
  startedAt: number | null;
  createdAt: number;
  updatedAt: number;
  fromLog: boolean;
}

/** One run of a job that a worker holds; valid while `claimToken` is the row's. */
export interface ClaimedJob {
  id: string;
  type: string;
  resourceId: string;
  projectId: string;
  attempt: number;
  claimToken: string;
  createdAt: number;
  startedAt: number;
}

export interface LogEntry {
  id: string;
  jobId: string;
  type: string;
  resourceId: string;
  projectId: string;
  status: string;
  event: string;
  attempt: number;
  worker: string | null;
  message: string | null;
  createdAt: number;
}

export interface EnqueueRequest {
  type: string;
  resourceId: string;
  projectId: string;
}

export interface JobFilter {
  type?: string;
  status?: JobStatus;
  projectId?: string;
  resourceId?: string;
}

/** The worker's claim on a job was taken over (it expired) or the row is gone: its result no longer counts. */
export class JobLostError extends Error {
  override name = 'JobLostError';
}

/** A request the job's current state does not allow (redo a running job, delete a finished one). */
export class JobStateError extends Error {
  override name = 'JobStateError';
}

export class JobNotFoundError extends Error {
  override name = 'JobNotFoundError';
}

const MAX_TEXT = 4000;
const clip = (text: string | null | undefined): string | null => (text == null ? null : text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

type Executor = Kysely<Database> | Transaction<Database>;

interface LogInput {
  jobId: string;
  type: string;
  resourceId: string;
  projectId: string;
  status: JobStatus;
  event: string;
  attempt?: number;
  worker?: string | null;
  message?: string | null;
}

async function writeLog(ex: Executor, dialect: Dialect, entry: LogInput): Promise<void> {
  await ex
    .insertInto('async_job_logs')
    .values({
      id: randomUUID(),
      job_id: entry.jobId,
      type: entry.type,
      resource_id: entry.resourceId,
      project_id: entry.projectId,
      status: entry.status,
      event: entry.event,
      attempt: entry.attempt ?? 0,
      worker: entry.worker ?? null,
      message: clip(entry.message),
      created_at: dbNow(dialect),
    })
    .execute();
}

/**
 * Writes a job request in the caller's transaction. While a NEW job for the same (type, resource)
 * waits, the request coalesces into it (only its updated_at moves); otherwise, including while one
 * runs, a NEW row is added and runs after. Signal the bus after the transaction commits.
 */
export async function enqueueJob(trx: Executor, request: EnqueueRequest, dialect: Dialect = dialectOf(trx)): Promise<{ id: string; created: boolean }> {
  const now = dbNow(dialect);
  const key = jobKey(request.type, request.resourceId);
  const newId = randomUUID();
  const insert = trx.insertInto('async_jobs').values({
    id: newId,
    type: request.type,
    resource_id: request.resourceId,
    project_id: request.projectId,
    status: 'NEW',
    attempts: 0,
    last_error: null,
    worker: null,
    run_after: now,
    heartbeat_at: null,
    created_at: now,
    updated_at: now,
    pending_key: key,
    run_lock: null,
    claim_token: null,
    started_at: null,
  });
  let id: string;
  if (dialect === 'mysql') {
    await insert.onDuplicateKeyUpdate({ updated_at: now }).execute();
    // The row is inserted or locked by this transaction, so the read sees it whatever the isolation level.
    id = (await trx.selectFrom('async_jobs').select('id').where('pending_key', '=', key).executeTakeFirstOrThrow()).id;
  } else {
    id = (
      await insert
        .onConflict((oc) => oc.column('pending_key').doUpdateSet({ updated_at: now }))
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }
  const created = id === newId;
  if (created) await writeLog(trx, dialect, { jobId: id, type: request.type, resourceId: request.resourceId, projectId: request.projectId, status: 'NEW', event: 'created' });
  return { id, created };
}

type JobRow = Database['async_jobs'];

function recordOf(row: JobRow): JobRecord {
  return {
    id: row.id,
    type: row.type,
    resourceId: row.resource_id,
    projectId: row.project_id,
    status: row.status as JobStatus,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    worker: row.worker,
    runAfter: row.run_after == null ? null : Number(row.run_after),
    heartbeatAt: row.heartbeat_at == null ? null : Number(row.heartbeat_at),
    startedAt: row.started_at == null ? null : Number(row.started_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    fromLog: false,
  };
}

/** The job tables: claims, heartbeats, outcomes, and the admin operations. */
export class JobStore {
  constructor(readonly db: Db) {}

  private get k(): Kysely<Database> {
    return this.db.kysely;
  }

  private now() {
    return dbNow(this.db.dialect);
  }

  /** Requests a job in a transaction of its own. */
  async enqueue(request: EnqueueRequest): Promise<{ id: string; created: boolean }> {
    return inTransaction(this.db, (trx) => enqueueJob(trx, request, this.db.dialect), { retryUnique: true });
  }

  /**
   * Claims one job of the given types for `worker`: first a RUNNING job whose heartbeat is older than
   * `expireMs` (its worker died; it is taken over, or marked FAIL when it has used up its attempts), then
   * the oldest due NEW job whose (type, resource) is not running. Every claim is one conditional UPDATE,
   * so two workers never both win; the unique run_lock makes a second running job per resource impossible.
   */
  async claim(worker: string, opts: { types: string[]; expireMs: number; maxAttempts: (type: string) => number }): Promise<ClaimedJob | undefined> {
    if (opts.types.length === 0) return undefined;
    const expired = await this.k
      .selectFrom('async_jobs')
      .selectAll()
      .where('status', '=', 'RUNNING')
      .where('type', 'in', opts.types)
      .where('heartbeat_at', '<', sql<number>`${this.now()} - ${Math.round(opts.expireMs)}`)
      .orderBy('heartbeat_at')
      .limit(5)
      .execute();
    for (const row of expired) {
      const job = await this.takeOver(worker, row, opts.expireMs, opts.maxAttempts(row.type));
      if (job) return job;
    }
    const due = await this.k
      .selectFrom('async_jobs as j')
      .selectAll('j')
      .where('j.status', '=', 'NEW')
      .where('j.type', 'in', opts.types)
      .where('j.run_after', '<=', this.now())
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('async_jobs as r').select('r.id').whereRef('r.run_lock', '=', 'j.pending_key'))))
      .orderBy('j.run_after')
      .orderBy('j.created_at')
      .limit(8)
      .execute();
    for (const row of due) {
      const job = await this.claimNew(worker, row);
      if (job) return job;
    }
    return undefined;
  }

  private async claimNew(worker: string, row: JobRow): Promise<ClaimedJob | undefined> {
    const token = randomUUID();
    try {
      return await inTransaction(this.db, async (trx) => {
        const res = await trx
          .updateTable('async_jobs')
          .set({
            status: 'RUNNING',
            run_lock: jobKey(row.type, row.resource_id),
            pending_key: null,
            claim_token: token,
            worker,
            heartbeat_at: this.now(),
            started_at: this.now(),
            attempts: sql<number>`attempts + 1`,
            updated_at: this.now(),
          })
          .where('id', '=', row.id)
          .where('status', '=', 'NEW')
          .where('run_after', '<=', this.now())
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return undefined;
        const job = await this.claimedRow(trx, row.id, token);
        await writeLog(trx, this.db.dialect, { ...logKeys(row), status: 'RUNNING', event: 'claimed', attempt: job.attempt, worker });
        return job;
      });
    } catch (err) {
      // Another row of the same (type, resource) became RUNNING between the read and the update.
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  private async takeOver(worker: string, row: JobRow, expireMs: number, maxAttempts: number): Promise<ClaimedJob | undefined> {
    // Still the same abandoned claim: nobody took it over or heartbeat it since it was read.
    const stale = (eb: ExpressionBuilder<Database, 'async_jobs'>) =>
      eb.and([
        eb('id', '=', row.id),
        eb('status', '=', 'RUNNING'),
        eb('claim_token', '=', row.claim_token ?? ''),
        eb('heartbeat_at', '<', sql<number>`${this.now()} - ${Math.round(expireMs)}`),
      ]);
    const why = `run ${row.attempts} abandoned: worker ${row.worker ?? '?'} sent no heartbeat for ${expireMs / 1000} s`;
    if (Number(row.attempts) >= maxAttempts) {
      await inTransaction(this.db, async (trx) => {
        const res = await trx
          .updateTable('async_jobs')
          .set({ status: 'FAIL', run_lock: null, claim_token: null, heartbeat_at: null, last_error: why, updated_at: this.now() })
          .where(stale)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return;
        await writeLog(trx, this.db.dialect, { ...logKeys(row), status: 'FAIL', event: 'expired', attempt: Number(row.attempts), worker: row.worker, message: why });
      });
      return undefined;
    }
    const token = randomUUID();
    return inTransaction(this.db, async (trx) => {
      const res = await trx
        .updateTable('async_jobs')
        .set({
          claim_token: token,
          worker,
          heartbeat_at: this.now(),
          started_at: this.now(),
          attempts: sql<number>`attempts + 1`,
          last_error: why,
          updated_at: this.now(),
        })
        .where(stale)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return undefined;
      const job = await this.claimedRow(trx, row.id, token);
      await writeLog(trx, this.db.dialect, { ...logKeys(row), status: 'RUNNING', event: 'taken_over', attempt: job.attempt, worker, message: why });
      return job;
    });
  }

  private async claimedRow(trx: Executor, id: string, token: string): Promise<ClaimedJob> {
    const r = await trx.selectFrom('async_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return {
      id: r.id,
      type: r.type,
      resourceId: r.resource_id,
      projectId: r.project_id,
      attempt: Number(r.attempts),
      claimToken: token,
      createdAt: Number(r.created_at),
      startedAt: Number(r.started_at),
    };
  }

  /** Proves the worker still runs the job; false when its claim is gone (taken over, deleted). */
  async heartbeat(job: ClaimedJob): Promise<boolean> {
    const res = await this.k
      .updateTable('async_jobs')
      .set({ heartbeat_at: this.now() })
      .where('id', '=', job.id)
      .where('claim_token', '=', job.claimToken)
      .where('status', '=', 'RUNNING')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * Records success: the row moves to the log, and FAIL rows of the same (type, resource) that failed
   * before this run started are dropped too (this run read the state they wanted applied).
   */
  async succeed(job: ClaimedJob, worker: string, message?: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const res = await trx.deleteFrom('async_jobs').where('id', '=', job.id).where('claim_token', '=', job.claimToken).executeTakeFirst();
      if (Number(res.numDeletedRows) !== 1) throw new JobLostError(`job ${job.id} is no longer held by ${worker}`);
      await writeLog(trx, this.db.dialect, { ...claimKeys(job), status: 'SUCCESS', event: 'succeeded', attempt: job.attempt, worker, message });
      const covered = await trx
        .selectFrom('async_jobs')
        .select(['id', 'attempts'])
        .where('type', '=', job.type)
        .where('resource_id', '=', job.resourceId)
        .where('status', '=', 'FAIL')
        .where('updated_at', '<=', job.startedAt)
        .execute();
      for (const old of covered) {
        const del = await trx.deleteFrom('async_jobs').where('id', '=', old.id).where('status', '=', 'FAIL').executeTakeFirst();
        if (Number(del.numDeletedRows) !== 1) continue;
        await writeLog(trx, this.db.dialect, {
          ...claimKeys(job),
          jobId: old.id,
          status: 'FAIL',
          event: 'superseded',
          attempt: Number(old.attempts),
          message: `covered by job ${job.id}, which succeeded`,
        });
      }
    });
  }

  /** Records a failed run: FAIL when `final`, else back to NEW after `delayMs`. */
  async fail(job: ClaimedJob, worker: string, error: string, opts: { final: boolean; delayMs: number }): Promise<void> {
    if (opts.final) {
      await inTransaction(this.db, async (trx) => {
        const res = await trx
          .updateTable('async_jobs')
          .set({ status: 'FAIL', run_lock: null, claim_token: null, heartbeat_at: null, last_error: clip(error), updated_at: this.now() })
          .where('id', '=', job.id)
          .where('claim_token', '=', job.claimToken)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw new JobLostError(`job ${job.id} is no longer held by ${worker}`);
        await writeLog(trx, this.db.dialect, { ...claimKeys(job), status: 'FAIL', event: 'failed', attempt: job.attempt, worker, message: error });
      });
      return;
    }
    await this.requeue(job, worker, { delayMs: opts.delayMs, event: 'retry', error, refund: false });
  }

  /**
   * Waiting retries (NEW after a failed run) become due now; FAIL jobs that failed within `windowMs`
   * (at least two days) are redone (fresh attempt count). Returns the ids that will run.
   */
  async wakeRetries(windowMs: number): Promise<string[]> {
    const now = this.now();
    const waiting = await this.db.kysely.selectFrom('async_jobs').select('id').where('status', '=', 'NEW').where('attempts', '>', 0).execute();
    if (waiting.length > 0) {
      await this.db.kysely.updateTable('async_jobs').set({ run_after: now }).where('status', '=', 'NEW').where('attempts', '>', 0).execute();
    }
    const failed = await this.db.kysely
      .selectFrom('async_jobs')
      .select('id')
      .where('status', '=', 'FAIL')
      .where((eb) => eb('updated_at', '>', eb(now, '-', Math.max(windowMs, 172_800_000))))
      .execute();
    const ids = waiting.map((w) => w.id);
    for (const f of failed) {
      try {
        ids.push((await this.redo(f.id)).id);
      } catch (err) {
        if (!(err instanceof JobStateError)) throw err;
      }
    }
    return ids;
  }

  /** Hands a job back unrun (the worker is stopping): NEW again at once, the run not counted. */
  async release(job: ClaimedJob, worker: string): Promise<void> {
    await this.requeue(job, worker, { delayMs: 0, event: 'released', refund: true });
  }

  /**
   * A RUNNING job goes back to NEW. When a newer request for the same (type, resource) is already
   * waiting, the two merge: the waiting row inherits the attempt count and the later run_after, and this
   * row leaves (a new row may have appeared between the two steps; the transaction then runs again).
   */
  private async requeue(job: ClaimedJob, worker: string, opts: { delayMs: number; event: string; error?: string; refund: boolean }): Promise<void> {
    const key = jobKey(job.type, job.resourceId);
    const attempts = job.attempt - (opts.refund ? 1 : 0);
    const due = sql<number>`${this.now()} + ${Math.round(opts.delayMs)}`;
    await inTransaction(
      this.db,
      async (trx) => {
        const merged = await trx
          .updateTable('async_jobs')
          .set({
            attempts: sql<number>`case when attempts < ${attempts} then ${attempts} else attempts end`,
            run_after: sql<number>`case when run_after < ${due} then ${due} else run_after end`,
            updated_at: this.now(),
          })
          .where('pending_key', '=', key)
          .executeTakeFirst();
        if (Number(merged.numUpdatedRows) === 1) {
          const del = await trx.deleteFrom('async_jobs').where('id', '=', job.id).where('claim_token', '=', job.claimToken).executeTakeFirst();
          if (Number(del.numDeletedRows) !== 1) throw new JobLostError(`job ${job.id} is no longer held by ${worker}`);
          const into = await trx.selectFrom('async_jobs').select('id').where('pending_key', '=', key).executeTakeFirstOrThrow();
          const message = `${opts.error ? `${opts.error}; ` : ''}merged into the newer request ${into.id}`;
          await writeLog(trx, this.db.dialect, { ...claimKeys(job), status: 'NEW', event: 'merged', attempt: job.attempt, worker, message });
          return;
        }
        const patch: Record<string, unknown> = {
          status: 'NEW',
          pending_key: key,
          run_lock: null,
          claim_token: null,
          heartbeat_at: null,
          run_after: due,
          attempts,
          updated_at: this.now(),
        };
        if (opts.error !== undefined) patch.last_error = clip(opts.error);
        const res = await trx.updateTable('async_jobs').set(patch).where('id', '=', job.id).where('claim_token', '=', job.claimToken).executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw new JobLostError(`job ${job.id} is no longer held by ${worker}`);
        await writeLog(trx, this.db.dialect, { ...claimKeys(job), status: 'NEW', event: opts.event, attempt: job.attempt, worker, message: opts.error });
      },
      { retryUnique: true },
    );
  }

  /** Milliseconds (database clock) until a NEW job of these types is due or a RUNNING one may expire; undefined when neither exists. */
  async nextDueIn(types: string[], expireMs: number): Promise<number | undefined> {
    if (types.length === 0) return undefined;
    // A NEW job behind a running one of the same (type, resource) is not due: whoever finishes that run wakes up for it.
    const row = await this.k
      .selectFrom('async_jobs as j')
      .select([
        sql<number | null>`min(case when j.status = 'NEW' then j.run_after - ${this.now()} end)`.as('due'),
        sql<number | null>`min(case when j.status = 'RUNNING' then j.heartbeat_at + ${Math.round(expireMs)} - ${this.now()} end)`.as('expiry'),
      ])
      .where('j.type', 'in', types)
      .where('j.status', 'in', ['NEW', 'RUNNING'])
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('async_jobs as r').select('r.id').whereRef('r.run_lock', '=', 'j.pending_key'))))
      .executeTakeFirst();
    const values = [row?.due, row?.expiry].filter((v) => v !== null && v !== undefined).map(Number);
    return values.length > 0 ? Math.max(0, Math.min(...values)) : undefined;
  }

  /** Deletes log entries older than `retentionMs`. */
  async pruneLog(retentionMs: number): Promise<number> {
    const res = await this.k
      .deleteFrom('async_job_logs')
      .where('created_at', '<', sql<number>`${this.now()} - ${Math.round(retentionMs)}`)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Count and age in ms of the oldest job, per status of the job table. */
  async stats(): Promise<{ status: string; count: number; oldestAgeMs: number }[]> {
    const rows = await this.k
      .selectFrom('async_jobs')
      .select(['status', sql<number>`count(*)`.as('count'), sql<number>`${this.now()} - min(created_at)`.as('age')])
      .groupBy('status')
      .execute();
    return rows.map((r) => ({ status: r.status, count: Number(r.count), oldestAgeMs: Math.max(0, Number(r.age)) }));
  }

  /** The waiting or running jobs of the given types (of one project when given), as "type|resource_id". */
  async inFlight(types: string[], projectId?: string): Promise<Set<string>> {
    let q = this.k.selectFrom('async_jobs').select(['type', 'resource_id']).where('status', 'in', ['NEW', 'RUNNING']).where('type', 'in', types);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    return new Set((await q.execute()).map((j) => `${j.type}|${j.resource_id}`));
  }

  // ---- admin operations ----

  /** A job by id: a row of the job table, else its success entry in the log. */
  async find(id: string): Promise<JobRecord | undefined> {
    const row = await this.k.selectFrom('async_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (row) return recordOf(row);
    const done = await this.k.selectFrom('async_job_logs').selectAll().where('job_id', '=', id).where('event', '=', 'succeeded').executeTakeFirst();
    if (!done) return undefined;
    return (await this.fromLog([done]))[0];
  }

  async get(id: string): Promise<JobRecord> {
    const job = await this.find(id);
    if (!job) throw new JobNotFoundError(`Job ${id} could not be found.`);
    return job;
  }

  /**
   * Jobs newest first: the job table (NEW, RUNNING, FAIL), then finished jobs from the log (SUCCESS).
   * `marker` is the id of the last job of the previous page.
   */
  async list(filter: JobFilter, page: { limit: number; marker?: string }): Promise<JobRecord[]> {
    const wantTable = filter.status === undefined || filter.status !== 'SUCCESS';
    const wantLog = filter.status === undefined || filter.status === 'SUCCESS';
    let tableAfter: { createdAt: number; id: string } | undefined;
    let logAfter: { createdAt: number; id: string } | undefined;
    let skipTable = false;
    if (page.marker !== undefined) {
      const row = await this.k.selectFrom('async_jobs').select(['id', 'created_at']).where('id', '=', page.marker).executeTakeFirst();
      if (row) tableAfter = { createdAt: Number(row.created_at), id: row.id };
      else {
        const entry = await this.k.selectFrom('async_job_logs').select(['id', 'created_at']).where('job_id', '=', page.marker).where('event', '=', 'succeeded').executeTakeFirst();
        if (!entry) throw new JobNotFoundError(`Marker ${page.marker} could not be found.`);
        logAfter = { createdAt: Number(entry.created_at), id: entry.id };
        skipTable = true;
      }
    }
    const out: JobRecord[] = [];
    if (wantTable && !skipTable) {
      let q = this.k.selectFrom('async_jobs').selectAll();
      if (filter.type) q = q.where('type', '=', filter.type);
      if (filter.status) q = q.where('status', '=', filter.status);
      if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
      if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
      if (tableAfter) {
        const m = tableAfter;
        q = q.where((eb) => eb.or([eb('created_at', '<', m.createdAt), eb.and([eb('created_at', '=', m.createdAt), eb('id', '<', m.id)])]));
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
      out.push(...rows.map(recordOf));
    }
    if (wantLog && out.length < page.limit) {
      let q = this.k.selectFrom('async_job_logs').selectAll().where('event', '=', 'succeeded');
      if (filter.type) q = q.where('type', '=', filter.type);
      if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
      if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
      if (logAfter) {
        const m = logAfter;
        q = q.where((eb) => eb.or([eb('created_at', '<', m.createdAt), eb.and([eb('created_at', '=', m.createdAt), eb('id', '<', m.id)])]));
      }
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit - out.length)
        .execute();
      out.push(...(await this.fromLog(rows)));
    }
    return out;
  }

  /** The history of one job, oldest first. */
  async history(id: string): Promise<LogEntry[]> {
    const rows = await this.k.selectFrom('async_job_logs').selectAll().where('job_id', '=', id).orderBy('created_at').orderBy('attempt').execute();
    return rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      type: r.type,
      resourceId: r.resource_id,
      projectId: r.project_id,
      status: r.status,
      event: r.event,
      attempt: Number(r.attempt),
      worker: r.worker,
      message: r.message,
      createdAt: Number(r.created_at),
    }));
  }

  private async fromLog(rows: Database['async_job_logs'][]): Promise<JobRecord[]> {
    if (rows.length === 0) return [];
    const created = await this.k
      .selectFrom('async_job_logs')
      .select(['job_id', 'created_at'])
      .where('event', '=', 'created')
      .where(
        'job_id',
        'in',
        rows.map((r) => r.job_id),
      )
      .execute();
    const createdAt = new Map(created.map((c) => [c.job_id, Number(c.created_at)]));
    return rows.map((r) => ({
      id: r.job_id,
      type: r.type,
      resourceId: r.resource_id,
      projectId: r.project_id,
      status: 'SUCCESS' as const,
      attempts: Number(r.attempt),
      lastError: null,
      worker: r.worker,
      runAfter: null,
      heartbeatAt: null,
      startedAt: null,
      createdAt: createdAt.get(r.job_id) ?? Number(r.created_at),
      updatedAt: Number(r.created_at),
      fromLog: true,
    }));
  }

  /**
   * Runs a NEW or FAIL job again as soon as possible, with a fresh attempt count. A FAIL job whose
   * (type, resource) already has a waiting request merges into that request, which is returned.
   */
  async redo(id: string): Promise<JobRecord> {
    const current = await this.get(id);
    if (current.fromLog) throw new JobStateError(`Job ${id} has already succeeded; it can not be redone.`);
    if (current.status === 'RUNNING') throw new JobStateError(`Job ${id} is running; it can not be redone.`);
    const key = jobKey(current.type, current.resourceId);
    const resultId = await inTransaction(
      this.db,
      async (trx) => {
        if (current.status === 'NEW') {
          const res = await trx
            .updateTable('async_jobs')
            .set({ run_after: this.now(), attempts: 0, updated_at: this.now() })
            .where('id', '=', id)
            .where('status', '=', 'NEW')
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw new JobStateError(`Job ${id} changed state meanwhile; look at it again.`);
          await writeLog(trx, this.db.dialect, { ...recordKeys(current), status: 'NEW', event: 'redo', message: 'redo requested' });
          return id;
        }
        const merged = await trx.updateTable('async_jobs').set({ run_after: this.now(), attempts: 0, updated_at: this.now() }).where('pending_key', '=', key).executeTakeFirst();
        if (Number(merged.numUpdatedRows) === 1) {
          const del = await trx.deleteFrom('async_jobs').where('id', '=', id).where('status', '=', 'FAIL').executeTakeFirst();
          if (Number(del.numDeletedRows) !== 1) throw new JobStateError(`Job ${id} changed state meanwhile; look at it again.`);
          const into = await trx.selectFrom('async_jobs').select('id').where('pending_key', '=', key).executeTakeFirstOrThrow();
          await writeLog(trx, this.db.dialect, { ...recordKeys(current), status: 'NEW', event: 'merged', message: `redo merged into the waiting request ${into.id}` });
          return into.id;
        }
        const res = await trx
          .updateTable('async_jobs')
          .set({ status: 'NEW', pending_key: key, attempts: 0, run_after: this.now(), updated_at: this.now() })
          .where('id', '=', id)
          .where('status', '=', 'FAIL')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw new JobStateError(`Job ${id} changed state meanwhile; look at it again.`);
        await writeLog(trx, this.db.dialect, { ...recordKeys(current), status: 'NEW', event: 'redo', message: 'redo requested' });
        return id;
      },
      { retryUnique: true },
    );
    return this.get(resultId);
  }

  /** Deletes a NEW or FAIL job (a running or finished one can not be deleted). */
  async remove(id: string): Promise<void> {
    const current = await this.get(id);
    if (current.fromLog) throw new JobStateError(`Job ${id} is in the job log; it can not be deleted.`);
    if (current.status === 'RUNNING') throw new JobStateError(`Job ${id} is running; it can not be deleted.`);
    await inTransaction(this.db, async (trx) => {
      const res = await trx.deleteFrom('async_jobs').where('id', '=', id).where('status', 'in', ['NEW', 'FAIL']).executeTakeFirst();
      if (Number(res.numDeletedRows) !== 1) throw new JobStateError(`Job ${id} changed state meanwhile; look at it again.`);
      await writeLog(trx, this.db.dialect, { ...recordKeys(current), status: current.status, event: 'deleted', attempt: current.attempts, message: 'deleted by request' });
    });
  }
}

function logKeys(row: JobRow) {
  return { jobId: row.id, type: row.type, resourceId: row.resource_id, projectId: row.project_id };
}

function claimKeys(job: ClaimedJob) {
  return { jobId: job.id, type: job.type, resourceId: job.resourceId, projectId: job.projectId };
}

function recordKeys(job: JobRecord) {
  return { jobId: job.id, type: job.type, resourceId: job.resourceId, projectId: job.projectId };
}
