/** One hint: the job ids it names (logs only; empty after a reconnection) and its acknowledgement. */
export interface BusHint {
  jobIds: string[];
  /**
   * Tells the bus the hint was acted on. A worker acknowledges when it has room to claim work; a hint held
   * unacknowledged by a busy process is given by the broker to another one when that process dies.
   */
  ack(): void;
}

/**
 * Carries "there is work" hints from whoever writes job rows to the workers. The database is the truth:
 * a hint names job ids for the logs only, a worker that gets one claims whatever is due, and a lost hint
 * costs at most one scan interval. So publishing never throws and never blocks a request for long.
 */
export interface JobBus {
  readonly kind: 'memory' | 'amqp';
  /** Announces new or newly due jobs. */
  publish(jobIds: string[]): Promise<void>;
  /**
   * Calls `listener` for every hint this process receives, and with an empty hint after the bus
   * reconnected (hints may have been lost meanwhile). Returns the unsubscribe function.
   */
  subscribe(listener: (hint: BusHint) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
