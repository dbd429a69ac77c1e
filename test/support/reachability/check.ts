// Whole-snapshot checks: every VM to every other VM of its project, the outside to every floating
// IP on an external network that leads outside the cloud, plus the static issues of the model.
import { ipText } from './ip.js';
import { buildModel, isHostPort, isUpstreamDomain, type Model } from './model.js';
import type { Issue, ReachResult, Snapshot } from './types.js';
import { canReach } from './walk.js';

export interface VmRef {
  region: string;
  portId: string;
  ip: string;
  name?: string;
  projectId?: string;
  /** "Pod1 vm1 (10.0.1.5)" */
  label: string;
}

export interface PairCheck {
  from: VmRef;
  to: VmRef;
  result: ReachResult;
}

export interface FipCheck {
  region: string;
  address: string;
  fixedIp: string | null;
  portId: string | null;
  networkId: string;
  /** On an external network that leads outside the cloud (as opposed to the inner hop of a two-hop NAT). */
  outer: boolean;
  associated: boolean;
  /** The outside → floating IP walk, for associated outer floating IPs. */
  result?: ReachResult;
}

export interface CheckReport {
  vms: VmRef[];
  pairs: PairCheck[];
  fips: FipCheck[];
  issues: Issue[];
  /** Every pair and every checked floating IP reachable, and no error-severity issue. */
  ok: boolean;
  /** One line per failed pair, failed floating IP and error issue. */
  failures: string[];
}

export interface CheckOptions {
  /** Only pair VMs of the same project (default true; ports without project_id pair with all). */
  sameProjectOnly?: boolean;
  /** Walk replies too (default true). */
  reply?: boolean;
}

function vmsOf(model: Model): VmRef[] {
  const vms: VmRef[] = [];
  for (const { region, port } of model.ports.values()) {
    if (!isHostPort(port)) continue;
    for (const f of port.fixed_ips) {
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(f.ip_address)) continue;
      vms.push({
        region,
        portId: port.id,
        ip: f.ip_address,
        ...(port.name ? { name: port.name } : {}),
        ...(port.project_id ? { projectId: port.project_id } : {}),
        label: `${region} ${port.name || port.id} (${f.ip_address})`,
      });
    }
  }
  return vms;
}

/** Pairwise VM ↔ VM reachability and outside → each floating IP, with the model's static issues. */
export function checkAll(input: Snapshot | Model, opts: CheckOptions = {}): CheckReport {
  const model = 'pods' in input ? buildModel(input) : input;
  const sameProject = opts.sameProjectOnly ?? true;
  const vms = vmsOf(model);
  const pairs: PairCheck[] = [];
  for (const from of vms) {
    for (const to of vms) {
      if (from === to || (from.portId === to.portId && from.region === to.region)) continue;
      if (sameProject && from.projectId && to.projectId && from.projectId !== to.projectId) continue;
      pairs.push({ from, to, result: canReach(model, { from: { region: from.region, ip: from.ip, portId: from.portId }, to: to.ip, reply: opts.reply }) });
    }
  }
  const fips: FipCheck[] = [];
  for (const f of model.fips) {
    const outer = !!f.net && isUpstreamDomain(f.net.domain);
    const check: FipCheck = {
      region: f.region,
      address: ipText(f.address),
      fixedIp: f.fip.fixed_ip_address,
      portId: f.fip.port_id,
      networkId: f.fip.floating_network_id,
      outer,
      associated: f.associated,
    };
    if (f.associated && outer) {
      check.result = f.problem
        ? { ok: false, path: [], reason: `${f.label}: ${f.problem}` }
        : canReach(model, { from: { external: true, networkId: f.fip.floating_network_id, region: f.region }, to: check.address, reply: opts.reply });
    }
    fips.push(check);
  }
  const failures: string[] = [];
  for (const p of pairs) if (!p.result.ok) failures.push(`${p.from.label} → ${p.to.label}: ${p.result.reason}`);
  for (const f of fips) if (f.result && !f.result.ok) failures.push(`outside → ${f.region} floating IP ${f.address}: ${f.result.reason}`);
  for (const i of model.issues) if (i.severity === 'error') failures.push(`[${i.code}] ${i.message}`);
  return { vms, pairs, fips, issues: model.issues, ok: failures.length === 0, failures };
}

/** The result for one ordered VM pair of a report, by addresses (and regions when addresses repeat). */
export function pairResult(report: CheckReport, from: string, to: string, regions?: { from?: string; to?: string }): ReachResult {
  const found = report.pairs.filter(
    (p) => p.from.ip === from && p.to.ip === to && (!regions?.from || p.from.region === regions.from) && (!regions?.to || p.to.region === regions.to),
  );
  if (found.length !== 1) throw new Error(`${found.length} pairs ${from} → ${to} in the report`);
  return found[0].result;
}

/** A readable summary of a report: the matrix of pairs, the floating IPs and the issues. */
export function formatReport(report: CheckReport): string {
  const lines: string[] = [];
  for (const p of report.pairs) {
    lines.push(`${p.result.ok ? 'ok  ' : 'FAIL'} ${p.from.label} → ${p.to.label}${p.result.ok ? '' : `: ${p.result.reason}`}`);
  }
  for (const f of report.fips) {
    if (!f.result) {
      lines.push(`skip ${f.region} floating IP ${f.address} (${!f.associated ? 'not associated' : 'inner hop'})`);
      continue;
    }
    lines.push(`${f.result.ok ? 'ok  ' : 'FAIL'} outside → ${f.region} floating IP ${f.address} → ${f.fixedIp}${f.result.ok ? '' : `: ${f.result.reason}`}`);
  }
  for (const i of report.issues) lines.push(`${i.severity === 'error' ? 'ERR ' : 'warn'} [${i.code}] ${i.message}`);
  return lines.join('\n');
}
