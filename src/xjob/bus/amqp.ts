import { hostname } from 'node:os';
import * as amqp from 'amqplib';
import type { Logger } from '../../common/index.js';
import { retryDelay } from '../backoff.js';
import type { BusHint, JobBus } from './types.js';

export interface AmqpBusOptions {
  /** amqp:// URLs, tried in turn (several brokers of one cluster). */
  urls: string[];
  queue: string;
  /** Unacknowledged hints a consumer holds: its worker concurrency. */
  prefetch: number;
  logger: Logger;
  /** Shown by `rabbitmqctl list_connections name`. */
  connectionName?: string;
  /** How long a publish waits for the broker's confirm before giving up (the scan covers it). */
  publishTimeoutMs?: number;
  /** Longest wait between two reconnection attempts. */
  maxReconnectDelayMs?: number;
}

/**
 * A durable queue that every worker process consumes (competing consumers). Hints are persistent and
 * confirmed by the broker; a consumer holds at most `prefetch` of them and acknowledges one only when it
 * has room to claim work, so a busy process leaves hints to idle ones. A lost connection is re-opened
 * with capped exponential backoff; unacknowledged hints are redelivered by the broker, and anything lost
 * is found by the workers' periodic scan of the job table.
 */
export class AmqpBus implements JobBus {
  readonly kind = 'amqp' as const;
  private model?: amqp.ChannelModel;
  private publisher?: amqp.ConfirmChannel;
  private consumer?: amqp.Channel;
  private readonly listeners = new Set<(hint: BusHint) => void>();
  private connecting?: Promise<void>;
  private reconnectTimer?: NodeJS.Timeout;
  private failures = 0;
  private connections = 0;
  private closed = false;

  constructor(private readonly opts: AmqpBusOptions) {
    if (opts.urls.length === 0) throw new Error('AmqpBus needs at least one broker URL');
  }

  /** True while a broker connection is open. */
  get connected(): boolean {
    return this.publisher !== undefined;
  }

  /** Makes the first connection attempt (a failure is logged and retried in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  async publish(jobIds: string[]): Promise<void> {
    const channel = this.publisher;
    if (!channel) {
      this.opts.logger.debug({ jobIds }, 'job bus not connected; the periodic scan will find the job');
      return;
    }
    const body = Buffer.from(JSON.stringify({ job_ids: jobIds }));
    const timeoutMs = this.opts.publishTimeoutMs ?? 5000;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no confirm within ${timeoutMs} ms`)), timeoutMs);
        channel.sendToQueue(this.opts.queue, body, { persistent: true, contentType: 'application/json' }, (err) => {
          clearTimeout(timer);
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else resolve();
        });
      });
    } catch (err) {
      this.opts.logger.warn({ err, jobIds }, 'job signal not confirmed by the broker; the periodic scan will find the job');
    }
  }

  async subscribe(listener: (hint: BusHint) => void): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    if (this.model && !this.consumer) await this.startConsumer(this.model).catch((err) => this.opts.logger.warn({ err }, 'cannot consume job signals'));
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.consumer) {
        const consumer = this.consumer;
        this.consumer = undefined;
        await consumer.close().catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    const model = this.model;
    this.model = this.publisher = this.consumer = undefined;
    this.listeners.clear();
    await model?.close().catch(() => undefined);
  }

  private connect(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.connecting ??= this.connectOnce().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectOnce(): Promise<void> {
    const url = this.opts.urls[this.failures % this.opts.urls.length];
    const where = redact(url);
    let model: amqp.ChannelModel | undefined;
    try {
      model = await amqp.connect(url, {
        timeout: 10_000,
        clientProperties: { connection_name: this.opts.connectionName ?? `tricircle-xjob ${hostname()}:${process.pid}` },
      });
      model.on('error', (err) => this.opts.logger.warn({ err, broker: where }, 'job bus connection error'));
      model.on('close', (err?: Error) => this.lost(model!, err));
      const publisher = await model.createConfirmChannel();
      publisher.on('error', (err) => this.opts.logger.warn({ err }, 'job bus publish channel error'));
      publisher.on('close', () => {
        if (this.publisher === publisher) this.lost(model!);
      });
      await publisher.assertQueue(this.opts.queue, QUEUE_OPTIONS);
      if (this.closed) {
        await model.close().catch(() => undefined);
        return;
      }
      this.model = model;
      this.publisher = publisher;
      if (this.listeners.size > 0) await this.startConsumer(model);
      const reconnected = this.connections > 0;
      this.connections++;
      this.failures = 0;
      this.opts.logger.info({ broker: where, queue: this.opts.queue, reconnected }, 'job bus connected');
      if (reconnected) for (const listener of [...this.listeners]) listener({ jobIds: [], ack: () => undefined });
    } catch (err) {
      this.failures++;
      this.opts.logger.warn({ err, broker: where, failures: this.failures }, 'cannot connect the job bus; retrying');
      if (model && this.model !== model) await model.close().catch(() => undefined);
      if (this.model === model) this.model = this.publisher = this.consumer = undefined;
      this.scheduleReconnect();
    }
  }

  private async startConsumer(model: amqp.ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err) => this.opts.logger.warn({ err }, 'job bus consume channel error'));
    await channel.assertQueue(this.opts.queue, QUEUE_OPTIONS);
    await channel.prefetch(Math.max(1, this.opts.prefetch));
    await channel.consume(
      this.opts.queue,
      (msg) => {
        if (!msg) {
          // The broker cancelled the consumer (queue deleted): start over on a new connection.
          this.lost(model);
          void model.close().catch(() => undefined);
          return;
        }
        let acked = false;
        const ack = () => {
          if (acked || this.consumer !== channel) return;
          acked = true;
          try {
            channel.ack(msg);
          } catch {
            // The channel closed meanwhile; the broker redelivers the hint, which is harmless.
          }
        };
        const hint: BusHint = { jobIds: parseHint(msg.content), ack };
        const listeners = [...this.listeners];
        if (listeners.length === 0) ack();
        for (const listener of listeners) listener(hint);
      },
      { noAck: false },
    );
    this.consumer = channel;
  }

  private lost(model: amqp.ChannelModel, err?: Error): void {
    if (this.model !== model) return;
    this.model = this.publisher = this.consumer = undefined;
    void model.close().catch(() => undefined);
    if (this.closed) return;
    this.opts.logger.warn({ queue: this.opts.queue, reason: err?.message }, 'job bus connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = retryDelay(this.failures + 1, { baseMs: 200, capMs: this.opts.maxReconnectDelayMs ?? 10_000, jitter: 0.3 });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** Durable, and bounded: hints nobody consumes (all workers down) must not pile up; dropping old ones is harmless. */
const QUEUE_OPTIONS: amqp.Options.AssertQueue = { durable: true, arguments: { 'x-max-length': 100_000, 'x-overflow': 'drop-head' } };

function parseHint(content: Buffer): string[] {
  try {
    const body = JSON.parse(content.toString('utf8')) as { job_ids?: unknown };
    return Array.isArray(body.job_ids) ? body.job_ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * amqp:// URLs from an oslo.messaging-style transport URL: rabbit://user:pass@host1:5672,user:pass@host2:5672/vhost?opts.
 * amqp:// and amqps:// URLs are taken as they are (also comma-separated hosts).
 */
export function amqpUrls(transportUrl: string): string[] {
  const m = /^(rabbit|amqp|amqps):\/\/([^/?]*)(.*)$/i.exec(transportUrl.trim());
  if (!m) throw new Error(`[xjob] transport_url must be rabbit://, amqp:// or amqps:// (got ${redact(transportUrl)})`);
  const scheme = m[1].toLowerCase() === 'amqps' ? 'amqps' : 'amqp';
  const hosts = m[2].split(',').filter((h) => h.length > 0);
  if (hosts.length === 0) throw new Error('[xjob] transport_url names no broker host');
  let rest = m[3];
  // oslo writes the default vhost as a trailing "/", which amqplib reads as vhost "": both mean "/".
  const params = new URLSearchParams(rest.includes('?') ? rest.slice(rest.indexOf('?') + 1) : '');
  const path = rest.includes('?') ? rest.slice(0, rest.indexOf('?')) : rest;
  if (!params.has('heartbeat')) params.set('heartbeat', '10');
  rest = `${path}?${params}`;
  return hosts.map((host) => `${scheme}://${host}${rest}`);
}
