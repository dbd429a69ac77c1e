import type { BusHint, JobBus } from './types.js';

/** Hints inside one process: the embedded default (`[xjob] transport_url` empty). */
export class MemoryBus implements JobBus {
  readonly kind = 'memory' as const;
  private readonly listeners = new Set<(hint: BusHint) => void>();

  async publish(jobIds: string[]): Promise<void> {
    // Delivered on a later turn, as a broker would: the publisher is never re-entered.
    for (const listener of [...this.listeners]) setImmediate(() => listener({ jobIds, ack: () => undefined }));
  }

  async subscribe(listener: (hint: BusHint) => void): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
