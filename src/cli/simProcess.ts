import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface SimReady {
  ready: true;
  keystoneUrl: string;
  glanceUrl: string;
  /** `glanceUrl` is the pod's catalog Glance (the shared one unless the simulator runs `--glance-per-pod`). */
  pods: { region: string; az: string; novaUrl: string; cinderUrl: string; neutronUrl: string; glanceUrl?: string }[];
}

/**
 * The simulator's entry point. src/ never imports sim/: the simulator runs as its own process,
 * compiled (dist/sim/main.js) or, in development, through tsx.
 */
export function simEntryArgv(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = join(here, '..', '..', 'sim', 'main.js');
  if (existsSync(compiled)) return [compiled];
  return ['--import', 'tsx', join(here, '..', '..', 'sim', 'main.ts')];
}

/** Starts the pod simulator and resolves once it prints its ready line. */
export function startSimProcess(args: string[], opts: { stderr?: 'inherit' | 'ignore' } = {}): Promise<{ child: ChildProcess; ready: SimReady; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...simEntryArgv(), ...args], { stdio: ['ignore', 'pipe', opts.stderr ?? 'inherit'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`the pod simulator exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as SimReady;
        if (parsed.ready) {
          child.off('exit', onExit);
          resolve({ child, ready: parsed, stop });
        }
      } catch {
        process.stdout.write(`${line}\n`);
      }
    });
  });
}
