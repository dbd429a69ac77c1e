import { ethertypeOf, networkOf } from './cidr.js';
import type { RuleMatch } from './model.js';
import { canonicalProtocol } from './protocols.js';

const ANY_PREFIX = new Set(['0.0.0.0/0', '::/0']);

/**
 * A string equal for two rules exactly when Neutron would call them duplicates: protocols compared by
 * number (icmp on IPv6 = ipv6-icmp), prefixes by network, and "any address" equal to no prefix.
 */
export function ruleKey(rule: RuleMatch): string {
  const prefix = rule.remoteIpPrefix === null ? '' : networkOf(rule.remoteIpPrefix);
  return [
    rule.direction,
    rule.ethertype,
    canonicalProtocol(rule.protocol, rule.ethertype) ?? '',
    rule.portRangeMin ?? '',
    rule.portRangeMax ?? '',
    ANY_PREFIX.has(prefix) ? '' : prefix,
    rule.remoteGroupId ?? '',
  ].join('|');
}

/**
 * The rules a pod's copy of a group must hold for the top rules `rules`. Rules without a remote group
 * are copied; each remote-group rule becomes one rule per CIDR of `cidrs` of its ethertype's family
 * (none when there is no such CIDR: nothing is allowed rather than everything). Duplicates are dropped;
 * the order follows the input.
 */
export function expandRulesForPod(rules: readonly RuleMatch[], cidrs: readonly string[]): RuleMatch[] {
  const byFamily = { IPv4: [] as string[], IPv6: [] as string[] };
  const seenCidr = new Set<string>();
  for (const cidr of cidrs) {
    const family = ethertypeOf(cidr);
    const network = networkOf(cidr);
    if (!family || seenCidr.has(network)) continue;
    seenCidr.add(network);
    byFamily[family].push(network);
  }
  const out: RuleMatch[] = [];
  const seen = new Set<string>();
  const add = (rule: RuleMatch) => {
    const key = ruleKey(rule);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(rule);
  };
  for (const rule of rules) {
    const base: RuleMatch = {
      direction: rule.direction,
      ethertype: rule.ethertype,
      protocol: rule.protocol,
      portRangeMin: rule.portRangeMin,
      portRangeMax: rule.portRangeMax,
      remoteIpPrefix: rule.remoteIpPrefix,
      remoteGroupId: null,
    };
    if (rule.remoteGroupId === null) add(base);
    else for (const cidr of byFamily[rule.ethertype]) add({ ...base, remoteIpPrefix: cidr });
  }
  return out;
}

/** What to change in a pod so that `current` (the pod's rules, with their ids) equals `desired`. */
export function diffRules<T extends RuleMatch & { id: string }>(current: readonly T[], desired: readonly RuleMatch[]): { remove: T[]; add: RuleMatch[] } {
  const want = new Map(desired.map((r) => [ruleKey(r), r]));
  const have = new Set<string>();
  const remove: T[] = [];
  for (const rule of current) {
    const key = ruleKey(rule);
    if (want.has(key) && !have.has(key)) have.add(key);
    else remove.push(rule);
  }
  return { remove, add: [...want.entries()].filter(([k]) => !have.has(k)).map(([, r]) => r) };
}
