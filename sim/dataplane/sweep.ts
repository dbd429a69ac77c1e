// Removing namespaces: all of one run (on stop), and those of runs whose process is gone (on start,
// and by hand), so nothing stays on the machine after a kill.
import { execFileSync } from 'node:child_process';
import { listNamespaces, readNamespaces, runScript } from './host.js';
import { NAME_ROOT, ownerPid } from './names.js';
import { planChanges, scriptOf } from './plan.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the given namespaces of ours, their veths first. */
export async function removeNamespaces(names: string[]): Promise<void> {
  if (!names.length) return;
  const actual = await readNamespaces(names);
  const { steps } = planChanges({ namespaces: [], bridges: [], veths: [], addresses: [], routes: [] }, actual, new Map());
  // A namespace that could not be read still goes.
  const unread = names.filter((n) => !actual.has(n)).map((n) => ({ args: `netns del ${n}`, what: `remove namespace ${n}`, optional: true }));
  if (unread.length) steps.push({ kind: 'ip', lines: unread });
  await runScript(scriptOf(steps));
}

/** Removes every namespace of a run prefix. */
export async function removeRun(prefix: string): Promise<string[]> {
  const names = await listNamespaces(prefix);
  await removeNamespaces(names);
  return names;
}

/** Removes the namespaces left by runs whose process no longer exists; returns their names. */
export async function sweepLeftovers(): Promise<string[]> {
  const names = (await listNamespaces(NAME_ROOT)).filter((n) => {
    const pid = ownerPid(n);
    return pid !== undefined && !isAlive(pid);
  });
  await removeNamespaces(names);
  return names;
}

/** Last resort when the process exits without closing the dataplane: synchronous, namespaces only. */
export function removeRunSync(prefix: string): void {
  try {
    execFileSync('sh', ['-c', `for n in $(ip netns list | cut -d' ' -f1 | grep '^${prefix}'); do ip netns del "$n"; done`], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // nothing more can be done while exiting; the next start sweeps what is left
  }
}
