// What to run to turn the actual state into the wanted one (pure). The result is a list of steps,
// each one process: an `ip -batch` of commands inside one namespace (or `netns add/del` lines), or
// a shell command inside a namespace (sysctls, nft). Steps run in an order that works in one go:
// remove what is not wanted; make namespaces; remove stale links; make bridges and veths; then in
// every namespace MACs, masters, addresses, link state and routes; then rulesets.
import type { ActualLink, ActualNamespace } from './host.js';
import { sh } from './host.js';
import type { LinkEnd, Topology } from './spec.js';

/** One `ip` command (without the leading `ip -n NS`) and what it is for. */
export interface IpLine {
  args: string;
  what: string;
  /** Its failure does not matter (removing what an earlier line may have removed with it). */
  optional?: boolean;
}

export type Step =
  /** `ip [-n netns] -force -batch -`; without netns only `netns add/del` lines. */
  | { kind: 'ip'; netns?: string; lines: IpLine[] }
  /** `ip netns exec netns sh -c script`, with `stdin` fed to it. */
  | { kind: 'exec'; netns: string; script: string; stdin?: string; what: string; ruleset?: string };

export interface Plan {
  steps: Step[];
  /** How many changes the steps make (ip lines and shell commands). */
  changes: number;
}

/** The parts of a topology the plan compares. */
export type WantedState = Pick<Topology, 'namespaces' | 'bridges' | 'veths' | 'addresses' | 'routes'>;

/** Collects ip lines per namespace for one stage, keeping the namespaces' first-seen order. */
class Stage {
  private readonly byNs = new Map<string, IpLine[]>();

  add(netns: string, args: string, what: string, optional = false): void {
    const lines = this.byNs.get(netns) ?? [];
    lines.push({ args, what, ...(optional && { optional }) });
    this.byNs.set(netns, lines);
  }

  has(netns: string): boolean {
    return this.byNs.has(netns);
  }

  steps(): Step[] {
    return [...this.byNs.entries()].map(([netns, lines]) => ({ kind: 'ip', netns, lines }));
  }
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The loopback addresses every namespace has and no plan touches. */
const isLoopbackDefault = (dev: string, cidr: string) => dev === 'lo' && cidr.startsWith('127.');

/**
 * The steps that make `actual` (our namespaces as read) equal to `wanted`. `applied` holds the
 * ruleset last loaded per namespace; a namespace made by this plan always gets its ruleset.
 */
export function planChanges(wanted: WantedState, actual: Map<string, ActualNamespace>, applied: ReadonlyMap<string, string>): Plan {
  const wantedNs = new Map(wanted.namespaces.map((n) => [n.name, n]));
  const linksOf = (netns: string): Map<string, ActualLink> => actual.get(netns)?.links ?? new Map();
  const removal = new Stage();
  const hostLines: IpLine[] = [];
  const created = new Set<string>();
  const setup: Step[] = [];
  const unlink = new Stage();
  const make = new Stage();
  const configure = new Stage();
  const rulesets: Step[] = [];
  let l2Changed = false;

  // Namespaces no longer wanted: their veths first (a pair goes at once, so no end lingers in a pod
  // while the kernel frees the namespace), then the namespace.
  for (const [name, ns] of actual) {
    if (wantedNs.has(name)) continue;
    for (const link of ns.links.values()) if (link.kind === 'veth') removal.add(name, `link del ${sh(link.name)}`, `remove ${link.name} in ${name}`, true);
    hostLines.push({ args: `netns del ${sh(name)}`, what: `remove namespace ${name}` });
    l2Changed = true;
  }

  // New namespaces, with loopback up and their sysctls.
  for (const ns of wanted.namespaces) {
    if (actual.has(ns.name)) continue;
    created.add(ns.name);
    hostLines.push({ args: `netns add ${sh(ns.name)}`, what: `make namespace ${ns.name} (${ns.role})` });
    configure.add(ns.name, 'link set dev lo up', `loopback up in ${ns.name}`);
    if (ns.sysctls.length) {
      setup.push({ kind: 'exec', netns: ns.name, script: ns.sysctls.map(([k, v]) => `echo ${sh(v)} > /proc/sys/${k}`).join('; '), what: `sysctls of ${ns.name}` });
    }
  }

  // Links: anything unwanted goes; what has the wrong kind, or a veth whose other end is missing, is
  // removed and made again.
  const wantedLinks = new Set<string>();
  const key = (e: { netns: string; name: string }) => `${e.netns}/${e.name}`;
  for (const b of wanted.bridges) wantedLinks.add(key(b));
  for (const v of wanted.veths) {
    wantedLinks.add(key(v.a));
    wantedLinks.add(key(v.b));
  }
  for (const ns of wanted.namespaces) {
    for (const link of linksOf(ns.name).values()) {
      if (link.name === 'lo' || wantedLinks.has(key({ netns: ns.name, name: link.name }))) continue;
      unlink.add(ns.name, `link del ${sh(link.name)}`, `remove ${link.name} in ${ns.name}`, true);
      l2Changed = true;
    }
  }
  const fresh = new Set<string>();
  for (const b of wanted.bridges) {
    const have = linksOf(b.netns).get(b.name);
    if (have?.kind === 'bridge') continue;
    if (have) unlink.add(b.netns, `link del ${sh(b.name)}`, `remove ${b.name} (not a bridge) in ${b.netns}`);
    make.add(b.netns, `link add ${sh(b.name)} type bridge mcast_snooping 0`, `make bridge ${b.name} in ${b.netns}`);
    fresh.add(key(b));
    l2Changed = true;
  }
  for (const v of wanted.veths) {
    const a = linksOf(v.a.netns).get(v.a.name);
    const b = linksOf(v.b.netns).get(v.b.name);
    if (a?.kind === 'veth' && b?.kind === 'veth') continue;
    if (a) unlink.add(v.a.netns, `link del ${sh(v.a.name)}`, `remove ${v.a.name} in ${v.a.netns}`, true);
    if (b) unlink.add(v.b.netns, `link del ${sh(v.b.name)}`, `remove ${v.b.name} in ${v.b.netns}`, true);
    make.add(v.a.netns, `link add ${sh(v.a.name)} type veth peer name ${sh(v.b.name)} netns ${sh(v.b.netns)}`, `make veth ${v.a.name} (${v.a.netns}) ↔ ${v.b.name} (${v.b.netns})`);
    fresh.add(key(v.a));
    fresh.add(key(v.b));
    l2Changed = true;
  }

  // MAC and master, while a fresh link is still down.
  const ends: LinkEnd[] = [...wanted.bridges.map((b) => ({ netns: b.netns, name: b.name, up: b.up })), ...wanted.veths.flatMap((v) => [v.a, v.b])];
  for (const end of ends) {
    const isFresh = fresh.has(key(end));
    const have = isFresh ? undefined : linksOf(end.netns).get(end.name);
    const attrs: string[] = [];
    if (end.mac && (isFresh || have?.mac !== end.mac.toLowerCase())) attrs.push(`address ${sh(end.mac)}`);
    if (end.master && (isFresh || have?.master !== end.master)) attrs.push(`master ${sh(end.master)}`);
    if (!end.master && have?.master) attrs.push('nomaster');
    if (!attrs.length) continue;
    configure.add(end.netns, `link set dev ${sh(end.name)} ${attrs.join(' ')}`, `set ${attrs.join(' ')} on ${end.name} in ${end.netns}`);
    l2Changed = true;
  }

  // Addresses, before links come up (so that arp_notify announces them).
  const wantedAddrs = new Map<string, string[]>();
  for (const a of wanted.addresses) {
    const k = key({ netns: a.netns, name: a.dev });
    wantedAddrs.set(k, [...(wantedAddrs.get(k) ?? []), a.cidr]);
  }
  const devices = new Map<string, { netns: string; dev: string }>();
  for (const a of wanted.addresses) devices.set(key({ netns: a.netns, name: a.dev }), { netns: a.netns, dev: a.dev });
  for (const ns of wanted.namespaces) {
    for (const link of linksOf(ns.name).values()) if (link.addresses.length) devices.set(key({ netns: ns.name, name: link.name }), { netns: ns.name, dev: link.name });
  }
  for (const [k, { netns, dev }] of [...devices.entries()].sort((x, y) => x[0].localeCompare(y[0]))) {
    const wantList = [...new Set(wantedAddrs.get(k) ?? [])].sort();
    const haveList = (fresh.has(k) ? [] : (linksOf(netns).get(dev)?.addresses ?? [])).filter((c) => !isLoopbackDefault(dev, c)).sort();
    if (same(wantList, haveList)) continue;
    for (const c of haveList) if (!wantList.includes(c)) configure.add(netns, `addr del ${sh(c)} dev ${sh(dev)}`, `remove ${c} from ${dev} in ${netns}`);
    for (const c of wantList) if (!haveList.includes(c)) configure.add(netns, `addr add ${sh(c)} dev ${sh(dev)}`, `add ${c} to ${dev} in ${netns}`);
    l2Changed = true;
  }

  // Link state.
  for (const end of ends) {
    const isFresh = fresh.has(key(end));
    const have = linksOf(end.netns).get(end.name);
    if (isFresh ? !end.up : have?.up === end.up) continue;
    configure.add(end.netns, `link set dev ${sh(end.name)} ${end.up ? 'up' : 'down'}`, `${end.name} ${end.up ? 'up' : 'down'} in ${end.netns}`);
    l2Changed = true;
  }

  // Routes: ours carry protocol static; the kernel's connected routes are left alone.
  const routeText = (r: { dst: string; via?: string; dev?: string }) => `${r.dst}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`;
  for (const ns of wanted.namespaces) {
    const wantRoutes = wanted.routes.filter((r) => r.netns === ns.name);
    const haveRoutes = created.has(ns.name) ? [] : (actual.get(ns.name)?.routes ?? []);
    const matches = (w: (typeof wantRoutes)[number], h: (typeof haveRoutes)[number]) => w.dst === h.dst && w.via === h.via && (!w.dev || w.dev === h.dev);
    for (const h of haveRoutes) {
      if (wantRoutes.some((w) => matches(w, h))) continue;
      configure.add(ns.name, `route del ${sh(h.dst)}${h.via ? ` via ${sh(h.via)}` : ''} proto static`, `remove route ${routeText(h)} in ${ns.name}`);
    }
    for (const w of wantRoutes) {
      if (haveRoutes.some((h) => matches(w, h))) continue;
      configure.add(
        ns.name,
        `route replace ${sh(w.dst)}${w.via ? ` via ${sh(w.via)}` : ''}${w.dev ? ` dev ${sh(w.dev)}` : ''} proto static`,
        `route ${routeText(w)} in ${ns.name}`,
      );
    }
  }

  // Neighbour caches may point at a moved address: hosts and routers forget them (the simulated
  // network never makes a test wait for an ARP entry to age out).
  if (l2Changed) {
    for (const ns of wanted.namespaces) {
      if (ns.role !== 'vm' && ns.role !== 'router' && ns.role !== 'outside') continue;
      if (created.has(ns.name)) continue;
      configure.add(ns.name, 'neigh flush all', `flush neighbours in ${ns.name}`);
    }
  }

  // Rulesets, each replaced as a whole in one nft transaction.
  for (const ns of wanted.namespaces) {
    const text = ns.nft;
    const isNew = created.has(ns.name);
    if (isNew ? text === '' : (applied.get(ns.name) ?? '') === text) continue;
    rulesets.push({ kind: 'exec', netns: ns.name, script: 'nft -f -', stdin: `flush ruleset\n${text}\n`, what: `load the ruleset of ${ns.name}`, ruleset: text });
  }

  const removals = removal.steps();
  const host: Step[] = hostLines.length ? [{ kind: 'ip', lines: hostLines }] : [];
  const steps = [...removals, ...host, ...setup, ...unlink.steps(), ...make.steps(), ...configure.steps(), ...rulesets];
  const changes = steps.reduce((n, s) => n + (s.kind === 'ip' ? s.lines.filter((l) => !l.args.startsWith('neigh flush')).length : 1), 0);
  return { steps: changes ? steps : [], changes };
}

export interface StepFailure {
  what: string;
  message: string;
  /** The step loaded a ruleset and failed. */
  rulesetOf?: string;
}

const STEP_MARK = '@@step';
const FAIL_MARK = '@@fail';

/**
 * One shell script running the steps in order. A failed line of a batch is reported by `ip` as
 * "Command failed -:N" after its message; a failed shell step prints `@@fail`. The run goes on.
 */
export function scriptOf(steps: Step[]): string {
  return steps
    .map((s, i) => {
      const tag = `__TRICIRCLE_${i}__`;
      const mark = `echo "${STEP_MARK} ${i}" >&2`;
      if (s.kind === 'ip') {
        const body = s.lines.map((l) => l.args).join('\n');
        return `${mark}\nip ${s.netns ? `-n ${sh(s.netns)} ` : ''}-force -batch - <<'${tag}' || true\n${body}\n${tag}`;
      }
      const cmd = `ip netns exec ${sh(s.netns)} sh -c ${sh(s.script)}`;
      if (s.stdin === undefined) return `${mark}\n${cmd} || echo "${FAIL_MARK}" >&2`;
      return `${mark}\n${cmd} <<'${tag}' || echo "${FAIL_MARK}" >&2\n${s.stdin}${tag}`;
    })
    .join('\n');
}

/** The failures of a script run (optional lines left out), from its standard error. */
export function failuresOf(stderr: string, steps: Step[]): StepFailure[] {
  const out: StepFailure[] = [];
  let step: Step | undefined;
  let pending: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = new RegExp(`^${STEP_MARK} (\\d+)$`).exec(line);
    if (m) {
      step = steps[Number(m[1])];
      pending = [];
      continue;
    }
    if (line === FAIL_MARK && step?.kind === 'exec') {
      out.push({ what: step.what, message: pending.join(' ').slice(0, 500), ...(step.ruleset !== undefined && { rulesetOf: step.netns }) });
      pending = [];
      continue;
    }
    const c = /^Command failed -:(\d+)$/.exec(line);
    if (c && step?.kind === 'ip') {
      const l = step.lines[Number(c[1]) - 1];
      if (!l?.optional) out.push({ what: l?.what ?? `line ${c[1]}`, message: pending.join(' ').slice(0, 500) });
      pending = [];
      continue;
    }
    pending.push(line);
  }
  return out;
}
