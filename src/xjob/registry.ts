import type { Logger } from '../common/index.js';
import { composeResourceId, parseResourceId } from './keys.js';

/** A job as its handler sees it. Payloads are ids only: the handler reads the current state itself. */
export interface Job {
  id: string;
  type: string;
  /** The stored resource id; for composite schemas the fields joined with '#'. */
  resourceId: string;
  /** resourceId split into the fields of the type's resourceSchema. */
  resource: Record<string, string>;
  projectId: string;
  /** Which run this is: 1 for the first, more after failures or an abandoned run. */
  attempt: number;
  /** Epoch ms (database clock) of the first request coalesced into this job. */
  createdAt: number;
}

/** A follow-up job request: the type, its resource (fields or a ready resource id) and the project. */
export interface JobRequest {
  type: string;
  projectId: string;
  /** The resource id as stored; give this or `resource`. */
  resourceId?: string;
  /** The resource fields of the type's resourceSchema; joined into resourceId. */
  resource?: Record<string, string>;
}

/**
 * What a handler may use while it runs. Everything else (database, pod clients, the module's own
 * services) the handler holds itself: the module that owns the work builds its handlers at the
 * composition root, over its own object graph.
 */
export interface JobContext {
  logger: Logger;
  /**
   * Aborted when the worker stops or loses the job (its heartbeat found the claim taken over);
   * long handlers should check it between pod calls and give up.
   */
  signal: AbortSignal;
  /** Requests another job (own transaction, then a bus signal). */
  submit(request: JobRequest): Promise<string>;
}

export interface JobHandler {
  /** Does the work. Must be idempotent: it may run again after a crash, a failure or a coalesced request. */
  run(job: Job, ctx: JobContext): Promise<void>;
  /**
   * Names of the parts of the resource id, in order (joined with '#'). Shown by GET /v1.0/jobs/schemas
   * and checked by POST /v1.0/jobs. Default: ['id'].
   */
  resourceSchema?: readonly string[];
  /**
   * Called after a failed run is recorded (`final`: the job is now FAIL, otherwise it waits for a retry),
   * with the run's error: where upstream has a status field, the resource shows that its job fails. Its
   * own errors are logged and change nothing about the job.
   */
  onFailedRun?(job: Job, error: string, final: boolean): Promise<void>;
  /** Runs before the job is marked FAIL; default [xjob] max_attempts. */
  maxAttempts?: number;
  /** One line for the schemas listing. */
  description?: string;
}

/** An error a handler throws when retrying cannot help (the job is marked FAIL at once). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Handlers by job type: what a module hands to the composition root (src/server.ts) to register. */
export type JobHandlers = Readonly<Record<string, JobHandler>>;

export interface RegisteredHandler extends JobHandler {
  type: string;
  resourceSchema: readonly string[];
}

const TYPE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Job types and their handlers. One per process, made and filled by the composition root
 * (src/server.ts) in every process, whatever services it runs: the workers run the types, the Admin
 * API lists and checks them.
 */
export class JobRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();

  register(type: string, handler: JobHandler): void {
    if (!TYPE_PATTERN.test(type)) throw new Error(`invalid job type ${JSON.stringify(type)}: lower-case letters, digits and _ (at most 64)`);
    if (this.handlers.has(type)) throw new Error(`job type ${type} is already registered`);
    const resourceSchema = handler.resourceSchema ?? ['id'];
    if (resourceSchema.length === 0 || new Set(resourceSchema).size !== resourceSchema.length) {
      throw new Error(`job type ${type}: resourceSchema must name at least one field, each once`);
    }
    this.handlers.set(type, { ...handler, type, resourceSchema });
  }

  /** Registers every type of `handlers` (a module's handlers). */
  registerAll(handlers: JobHandlers): void {
    for (const [type, handler] of Object.entries(handlers)) this.register(type, handler);
  }

  /** Removes a type (tests). */
  unregister(type: string): void {
    this.handlers.delete(type);
  }

  get(type: string): RegisteredHandler | undefined {
    return this.handlers.get(type);
  }

  types(): string[] {
    return [...this.handlers.keys()].sort();
  }

  all(): RegisteredHandler[] {
    return this.types().map((t) => this.handlers.get(t)!);
  }

  /** The stored resource id of a request, checked against the type's schema. */
  resourceIdOf(request: JobRequest): string {
    const handler = this.handlers.get(request.type);
    if (!handler) throw new Error(`unknown job type ${request.type}`);
    if (request.resource) {
      const extra = Object.keys(request.resource).filter((k) => !handler.resourceSchema.includes(k));
      if (extra.length > 0) throw new Error(`job type ${request.type} has no resource field(s) ${extra.join(', ')}`);
      return composeResourceId(handler.resourceSchema, request.resource);
    }
    if (!request.resourceId) throw new Error(`job request for ${request.type} names no resource`);
    return request.resourceId;
  }

  /** The resource fields of a stored resource id. */
  resourceOf(type: string, resourceId: string): Record<string, string> {
    return parseResourceId(this.handlers.get(type)?.resourceSchema ?? ['id'], resourceId);
  }
}
