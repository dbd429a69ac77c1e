// Helpers for tests that send real packets through the simulator's dataplane (root only).
import { execFileSync } from 'node:child_process';
import { dataplaneUnavailable } from '../../sim/dataplane/index.js';

/** Why packet tests cannot run here (one line), or undefined when they can. */
export async function dataplaneSkipReason(): Promise<string | undefined> {
  const reason = await dataplaneUnavailable();
  if (reason) return `dataplane tests skipped: ${reason}`;
  try {
    execFileSync('sh', ['-c', 'command -v ping'], { stdio: 'ignore' });
  } catch {
    return 'dataplane tests skipped: ping is not installed (apt-get install iputils-ping)';
  }
  return undefined;
}

function sh(script: string): string {
  return execFileSync('sh', ['-c', script], { encoding: 'utf8' });
}

/** Network namespaces whose names start with `prefix`. */
export function namespacesWith(prefix: string): string[] {
  return sh('ip netns list')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n) => n?.startsWith(prefix));
}

/** Interfaces of the host's own namespace named as the dataplane names its links (there must be none). */
export function hostLinksLikeOurs(): string[] {
  return sh('ip -o link show')
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => !!n && /^(tap[0-9a-f]{10}|(qr|qg|br|ul|ox|ex)-[0-9a-f]{10}|(sw|o|ex)-[0-9a-f]{8}|u\d+-[0-9a-f]{10})$/.test(n));
}

/** nftables tables of the host's own namespace that the dataplane would name (there must be none). */
export function hostTablesLikeOurs(): string[] {
  return sh('nft list tables 2>/dev/null || true')
    .split('\n')
    .filter((l) => /tricircle_/.test(l));
}

/** Runs a command inside a namespace; its output, or the error's. */
export function inNetns(netns: string, command: string): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync('ip', ['netns', 'exec', netns, 'sh', '-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
