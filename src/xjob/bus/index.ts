import type { Logger } from '../../common/index.js';
import { AmqpBus, amqpUrls } from './amqp.js';
import { MemoryBus } from './memory.js';
import type { JobBus } from './types.js';

export type { BusHint, JobBus } from './types.js';
export { MemoryBus } from './memory.js';
export { AmqpBus, amqpUrls } from './amqp.js';

/** The bus `[xjob] transport_url` names: in-process when empty, else RabbitMQ (connecting in the background). */
export async function createJobBus(opts: { transportUrl: string; queue: string; prefetch: number; logger: Logger }): Promise<JobBus> {
  if (!opts.transportUrl.trim()) return new MemoryBus();
  const bus = new AmqpBus({ urls: amqpUrls(opts.transportUrl), queue: opts.queue, prefetch: opts.prefetch, logger: opts.logger });
  await bus.start();
  return bus;
}
