// A router's address translation as an nftables ruleset in its namespace, with the semantics of
// Neutron's L3 agent:
// - floating IPs: destination NAT of the floating address to the fixed one, from any side; source
//   NAT of the fixed address to the floating one for what is not plain east-west traffic;
// - with SNAT enabled: everything leaving by the gateway takes the gateway's address, and so does
//   traffic to a floating IP that did not come in by the gateway (hairpin);
// - traffic that neither enters nor leaves by the gateway and was not destination-NATed is routed
//   untouched (east-west).
// NAT is decided on a connection's first packet; replies are translated back by conntrack.

export const ROUTER_TABLE = 'tricircle_router';
/** Packets that came in by the gateway (Neutron uses the same mark). */
const FROM_GATEWAY = '0x2';

export interface RouterNatInput {
  /** The gateway interface (qg-...) and its IPv4 address. */
  gateway: { dev: string; address: string } | undefined;
  snat: boolean;
  floatingIps: { address: string; fixedIp: string }[];
}

/** '' when the router has no gateway (nothing to translate). */
export function routerRuleset(input: RouterNatInput): string {
  const gw = input.gateway;
  if (!gw) return '';
  const fips = [...input.floatingIps].sort((a, b) => (a.address < b.address ? -1 : 1));
  const lines = [
    `table ip ${ROUTER_TABLE} {`,
    '  chain mark_from_gateway {',
    '    type filter hook prerouting priority mangle; policy accept;',
    `    iifname "${gw.dev}" meta mark set ${FROM_GATEWAY}`,
    '  }',
    '  chain floating_ip_dnat {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...fips.map((f) => `    ip daddr ${f.address} dnat to ${f.fixedIp}`),
    '  }',
    '  chain source_nat {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    meta mark != ${FROM_GATEWAY} oifname != "${gw.dev}" ct status & dnat == 0 accept`,
    ...fips.map((f) => `    ip saddr ${f.fixedIp} snat to ${f.address}`),
  ];
  if (input.snat) {
    lines.push(`    oifname "${gw.dev}" snat to ${gw.address}`);
    lines.push(`    meta mark != ${FROM_GATEWAY} ct status dnat snat to ${gw.address}`);
  }
  lines.push('  }', '}');
  return lines.join('\n');
}
