// The loop that keeps Linux equal to the pods' Neutron state: a change in any pod asks for a pass;
// a pass computes the wanted topology, reads what exists, runs the difference. Passes run one at a
// time; requests during a pass coalesce into one more pass. A pass that fails is retried with
// backoff; since every pass starts from what exists, a retry finishes what the last one left.
import { readRun, runScript } from './host.js';
import type { Names } from './names.js';
import { failuresOf, planChanges, scriptOf } from './plan.js';
import type { TopologyView } from './spec.js';
import { buildTopology, type PodState } from './topology.js';

export interface PassResult {
  /** Commands run (0: the machine already matched). */
  commands: number;
  failures: string[];
}

export interface DataplaneStatus {
  enabled: true;
  prefix: string;
  /** Passes run so far, and commands run by them. */
  passes: number;
  commandsRun: number;
  /** The last pass found nothing to change and nothing failed. */
  converged: boolean;
  /** Failures of the last pass (command and the tool's message). */
  errors: string[];
  /** What the state asks for that is not realised. */
  notes: string[];
  namespaces: string[];
  topology: TopologyView | null;
}

export interface ReconcilerOptions {
  names: Names;
  pods: () => PodState[];
  clientAddress?: string;
  /** Wait this long after a change before a pass (writes come in bursts). Default 20 ms. */
  debounceMs?: number;
  log?: (line: string) => void;
}

const MAX_RETRY_MS = 5_000;

export class Reconciler {
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<PassResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failuresInARow = 0;
  private closed = false;
  /** Ruleset last loaded per namespace. */
  private readonly applied = new Map<string, string>();
  private readonly state: Omit<DataplaneStatus, 'enabled' | 'prefix'> = {
    passes: 0,
    commandsRun: 0,
    converged: false,
    errors: [],
    notes: [],
    namespaces: [],
    topology: null,
  };

  constructor(private readonly opts: ReconcilerOptions) {}

  /** A change happened: a pass soon. */
  schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.requestPass().catch(() => undefined);
    }, this.opts.debounceMs ?? 20);
  }

  /** A pass that starts after this call (joins one already waiting to start). */
  requestPass(): Promise<PassResult> {
    if (this.queued) return this.queued;
    const pass = this.tail.then(() => {
      this.queued = undefined;
      return this.pass();
    });
    this.queued = pass;
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  /** Runs passes until one finds nothing to do (at most `maxPasses`); the status after. */
  async sync(maxPasses = 5): Promise<DataplaneStatus> {
    for (let i = 0; i < maxPasses; i++) {
      const result = await this.requestPass();
      if (result.commands === 0 && result.failures.length === 0) break;
    }
    return this.status();
  }

  status(): DataplaneStatus {
    return { enabled: true, prefix: this.opts.names.prefix, ...this.state, errors: [...this.state.errors], notes: [...this.state.notes], namespaces: [...this.state.namespaces] };
  }

  /** Stops passes (the one running finishes). */
  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    await this.tail;
  }

  private async pass(): Promise<PassResult> {
    if (this.closed) return { commands: 0, failures: [] };
    this.state.passes++;
    let result: PassResult;
    try {
      result = await this.reconcile();
    } catch (err) {
      result = { commands: 0, failures: [`pass failed: ${(err as Error).message}`] };
    }
    this.state.commandsRun += result.commands;
    this.state.errors = result.failures;
    this.state.converged = result.commands === 0 && result.failures.length === 0;
    if (result.failures.length) {
      for (const f of result.failures) this.opts.log?.(`dataplane: ${f}`);
      this.failuresInARow++;
      const delay = Math.min(MAX_RETRY_MS, 100 * 2 ** this.failuresInARow);
      clearTimeout(this.retryTimer);
      if (!this.closed) this.retryTimer = setTimeout(() => void this.requestPass().catch(() => undefined), delay);
    } else {
      this.failuresInARow = 0;
    }
    return result;
  }

  private async reconcile(): Promise<PassResult> {
    const { names } = this.opts;
    const topology = buildTopology(this.opts.pods(), { names, clientAddress: this.opts.clientAddress });
    this.state.topology = topology.view;
    this.state.notes = topology.notes;
    const actual = await readRun(names.prefix);
    const plan = planChanges(topology, actual, this.applied);
    this.state.namespaces = topology.namespaces.map((n) => n.name).sort();
    for (const name of this.applied.keys()) if (!topology.namespaces.some((n) => n.name === name)) this.applied.delete(name);
    if (!plan.steps.length) return { commands: 0, failures: [] };
    if (process.env.TRICIRCLE_DATAPLANE_DEBUG) {
      for (const s of plan.steps) for (const what of s.kind === 'ip' ? s.lines.map((l) => l.what) : [s.what]) this.opts.log?.(`dataplane: ${what}`);
    }
    const res = await runScript(scriptOf(plan.steps));
    const failures = failuresOf(res.stderr, plan.steps);
    const failedRulesets = new Set(failures.map((f) => f.rulesetOf).filter((n) => n !== undefined));
    for (const s of plan.steps) {
      if (s.kind !== 'exec' || s.ruleset === undefined) continue;
      // A ruleset that failed to load is loaded again by the next pass.
      if (failedRulesets.has(s.netns)) this.applied.delete(s.netns);
      else this.applied.set(s.netns, s.ruleset);
    }
    return { commands: plan.changes, failures: failures.map((f) => `${f.what}: ${f.message || 'failed'}`) };
  }
}
