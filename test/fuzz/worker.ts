import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Agent } from 'undici';
import { fuzzRounds, type Route, type Target, threadCpuSeconds } from './requests.js';

/**
 * A fuzz client on its own thread: the services under test keep the main thread (and its core) to
 * themselves. Posts `{ sent, byStatus, cpuSeconds }` when done, or `{ error }` at the first failed check.
 */
async function run(port: MessagePort): Promise<void> {
  const data = workerData as { target: Target; routes: Route[]; total: number; seed: number; concurrency: number };
  const agent = new Agent({ connections: data.concurrency, pipelining: 1 });
  const byStatus = new Map<number, number>();
  const cpu0 = threadCpuSeconds();
  try {
    const sent = await fuzzRounds(data.target, agent, data.routes, data, byStatus);
    const cpu1 = threadCpuSeconds();
    port.postMessage({ sent, byStatus: [...byStatus], cpuSeconds: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined });
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err), byStatus: [...byStatus] });
  } finally {
    await agent.close();
  }
}

// `node --test dist/test/` also runs this file on its own, outside a worker: then there is nothing to do.
if (parentPort) await run(parentPort);
