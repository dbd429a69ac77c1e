import type { Logger } from '../common/index.js';
import type { Pod } from './podRegistry.js';

export interface PodHealerOptions {
  /** The registered pods with their recorded health (written by every process on transitions). */
  listPods(): Promise<Pod[]>;
  /** A cheap call to the pod; true when it answered. Its success also records the pod as up. */
  probe(pod: Pod): Promise<boolean>;
  /** The pod is back: run what waits for it. */
  onUp(pod: Pod): Promise<void>;
  intervalMs: number;
  logger?: Logger;
}

/**
 * Notices pods coming back. Every interval it reads the pods' health, probes the ones recorded down
 * (nobody else may call them), and when a pod that was down answers (or is recorded up again by
 * another process) it calls `onUp` once for that return. The first read only learns the states.
 */
export class PodHealer {
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: PodHealerOptions) {}

  start(): { close(): Promise<void> } {
    const schedule = () => {
      if (this.closed) return;
      this.timer = setTimeout(() => {
        this.running = this.tick().finally(schedule);
      }, this.opts.intervalMs);
      this.timer.unref();
    };
    schedule();
    return {
      close: async () => {
        this.closed = true;
        if (this.timer) clearTimeout(this.timer);
        await this.running;
      },
    };
  }

  /** One round (exported for tests and for a caller that wants it now). */
  async tick(): Promise<void> {
    let pods: Pod[];
    try {
      pods = (await this.opts.listPods()).filter((p) => p.azName !== '' && !p.disabled);
    } catch (err) {
      this.opts.logger?.warn({ err }, 'pod healer could not read the pods');
      return;
    }
    await Promise.all(
      pods.map(async (pod) => {
        const before = this.last.get(pod.id);
        let now = pod.health;
        if (now === 'down') {
          const answered = await this.opts.probe(pod).catch(() => false);
          if (answered) now = 'up';
        }
        this.last.set(pod.id, now);
        if (before === 'down' && now === 'up') {
          this.opts.logger?.info({ pod: pod.regionName }, 'pod is back: running the jobs that wait for it and the reconciler');
          try {
            await this.opts.onUp(pod);
          } catch (err) {
            this.opts.logger?.warn({ err, pod: pod.regionName }, 'could not start the jobs of a pod that came back');
          }
        }
      }),
    );
  }
}
