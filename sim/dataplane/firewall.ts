// Security groups of one VM port as an nftables ruleset in the VM's namespace: what the pod's
// Neutron says, nothing more. Remote-group rules match the addresses of the group's ports *in this
// pod* (a pod knows no others), so a rule the pod's copy lacks shows up as dropped traffic.
import { cidrNetworkText, parseCidr, parseIp, protocolNumber, type NeutronState, type PortRec, type SecurityGroupRuleRec } from '../neutron/index.js';

/** Protocols whose rules carry a destination port range. */
const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);
const ICMP = 1;

export const FIREWALL_TABLE = 'tricircle_sg';

function ipv4Addresses(port: PortRec): string[] {
  const out = port.fixed_ips.map((f) => f.ip_address).filter((ip) => parseIp(ip)?.version === 4);
  for (const pair of port.allowed_address_pairs) {
    const c = parseCidr(pair.ip_address, true);
    if (c?.version === 4) out.push(c.prefix === 32 ? pair.ip_address : cidrNetworkText(c));
  }
  return out;
}

/** The IPv4 addresses (and address-pair CIDRs) of the pod's ports in a group. */
function groupMembers(state: NeutronState, groupId: string): string[] {
  const out = new Set<string>();
  for (const p of state.ports.values()) if (p.security_groups.includes(groupId)) for (const a of ipv4Addresses(p)) out.add(a);
  return [...out].sort();
}

function setName(groupId: string): string {
  return `group_${groupId.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}`;
}

/** One rule as an nftables statement, or undefined when it can match nothing here. */
function ruleStatement(rule: SecurityGroupRuleRec, ingress: boolean, sets: Map<string, string[]>): string | undefined {
  // IPv6 is switched off in the simulated hosts; only IPv4 rules can match.
  if (rule.ethertype !== 'IPv4') return undefined;
  const parts = ['meta nfproto ipv4'];
  const addr = ingress ? 'saddr' : 'daddr';
  if (rule.remote_ip_prefix) {
    const c = parseCidr(rule.remote_ip_prefix, true);
    if (c?.version !== 4) return undefined;
    if (c.prefix > 0) parts.push(`ip ${addr} ${cidrNetworkText(c)}`);
  } else if (rule.remote_group_id) {
    const set = setName(rule.remote_group_id);
    if (!sets.get(set)?.length) return undefined;
    parts.push(`ip ${addr} @${set}`);
  }
  const proto = protocolNumber(rule.protocol);
  if (proto !== null && proto !== 0) {
    parts.push(`meta l4proto ${proto}`);
    if (PORT_PROTOCOLS.has(proto) && rule.port_range_min !== null) {
      const max = rule.port_range_max ?? rule.port_range_min;
      parts.push(`th dport ${rule.port_range_min === max ? max : `${rule.port_range_min}-${max}`}`);
    } else if (proto === ICMP && rule.port_range_min !== null) {
      parts.push(`icmp type ${rule.port_range_min}`);
      if (rule.port_range_max !== null) parts.push(`icmp code ${rule.port_range_max}`);
    }
  }
  return `${parts.join(' ')} accept`;
}

/**
 * The ruleset of a VM port: '' when port security is off (everything passes); otherwise ingress and
 * egress chains that accept what the port's groups allow and drop the rest, stateful unless every
 * group of the port is stateless, and an egress check that the VM sends from its own addresses.
 */
export function portFirewall(state: NeutronState, port: PortRec): string {
  if (!port.port_security_enabled) return '';
  const groups = port.security_groups.map((id) => state.securityGroups.get(id)).filter((g) => g !== undefined);
  const stateful = groups.length === 0 || groups.some((g) => g.stateful);
  const rules = [...state.securityGroupRules.values()]
    .filter((r) => port.security_groups.includes(r.security_group_id))
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
  const sets = new Map<string, string[]>();
  for (const r of rules) if (r.remote_group_id) sets.set(setName(r.remote_group_id), groupMembers(state, r.remote_group_id));

  const lines: string[] = [`table inet ${FIREWALL_TABLE} {`];
  for (const [name, members] of [...sets.entries()].sort()) {
    if (!members.length) continue;
    lines.push(`  set ${name} {`, '    type ipv4_addr', '    flags interval', `    elements = { ${members.join(', ')} }`, '  }');
  }
  const chain = (name: string, hook: 'input' | 'output', ingress: boolean) => {
    lines.push(`  chain ${name} {`, `    type filter hook ${hook} priority filter; policy drop;`);
    lines.push(`    ${ingress ? 'iifname' : 'oifname'} "lo" accept`);
    if (stateful) lines.push('    ct state established,related accept', '    ct state invalid drop');
    if (!ingress) {
      const own = ipv4Addresses(port);
      lines.push(own.length ? `    meta nfproto ipv4 ip saddr != { ${own.join(', ')} } drop` : '    meta nfproto ipv4 drop');
    }
    for (const r of rules) {
      if ((r.direction === 'ingress') !== ingress) continue;
      const statement = ruleStatement(r, ingress, sets);
      if (statement) lines.push(`    ${statement}`);
    }
    lines.push('  }');
  };
  chain('ingress', 'input', true);
  chain('egress', 'output', false);
  lines.push('}');
  return lines.join('\n');
}
