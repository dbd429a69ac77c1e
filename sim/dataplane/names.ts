// Names of everything the dataplane creates. Namespaces carry the run's prefix (which holds the
// simulator's pid, so a sweep can tell a live run from a leftover); interfaces live only inside
// those namespaces, so their names need to be unique per namespace only, and fit Linux's 15
// characters.
import { createHash, randomBytes } from 'node:crypto';

/** Every namespace of every run starts with this. */
export const NAME_ROOT = 'tcdp-';

/** `tcdp-<pid base 36>-<4 hex>-`: which process made a namespace, and which of its runs. */
const RUN_PREFIX = /^tcdp-([0-9a-z]+)-([0-9a-f]{4})-/;

export function newRunPrefix(pid = process.pid): string {
  return `${NAME_ROOT}${pid.toString(36)}-${randomBytes(2).toString('hex')}-`;
}

/** The pid that owns a namespace name of ours, or undefined when the name is not one. */
export function ownerPid(netns: string): number | undefined {
  const m = RUN_PREFIX.exec(netns);
  return m ? parseInt(m[1], 36) : undefined;
}

const IFNAMSIZ = 15;

/** Hex of a UUID without dashes, first `n` characters. */
function idHex(id: string, n: number): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]+$/.test(hex) && hex.length >= n ? hex.slice(0, n) : hash(id, n);
}

function hash(text: string, n: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, n);
}

function ifname(name: string): string {
  if (name.length > IFNAMSIZ) throw new Error(`interface name ${name} is longer than ${IFNAMSIZ} characters`);
  return name;
}

/** Readable, safe part of a namespace name. */
function safe(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return cleaned === text ? cleaned : `${cleaned}-${hash(text, 6)}`;
}

export class Names {
  constructor(readonly prefix: string) {}

  // ---- namespaces
  /** The provider switch: one bridge per shared L2 segment (VLAN or flat physical network). */
  get fabric(): string {
    return `${this.prefix}fabric`;
  }

  /** The host outside the cloud: upstream gateway of the external networks, and the client that tests them. */
  get outside(): string {
    return `${this.prefix}outside`;
  }

  /** One pod's hypervisors: one bridge per network of the pod. */
  pod(region: string): string {
    return `${this.prefix}pod-${safe(region)}`;
  }

  router(routerId: string): string {
    return `${this.prefix}qrouter-${safe(routerId)}`;
  }

  /** A VM: one namespace per bound compute port. */
  vm(portId: string): string {
    return `${this.prefix}vm-${safe(portId)}`;
  }

  // ---- interfaces (unique within their namespace)
  /** In a pod: the bridge of a network. */
  static networkBridge(networkId: string): string {
    return ifname(`br-${idHex(networkId, 10)}`);
  }

  /** In a pod: the end of a VM's or router's veth (tapXXXXXXXXXX). */
  static tap(portId: string): string {
    return ifname(`tap${idHex(portId, 10)}`);
  }

  /** In a pod: the network bridge's link to the provider switch. */
  static uplink(networkId: string): string {
    return ifname(`ul-${idHex(networkId, 10)}`);
  }

  /** In a pod: the outside host's link into a pod-local external network. */
  static outsideIntoPod(networkId: string): string {
    return ifname(`ox-${idHex(networkId, 10)}`);
  }

  /** In the fabric: the switch of a shared segment. */
  static segmentSwitch(segmentKey: string): string {
    return ifname(`sw-${hash(segmentKey, 8)}`);
  }

  /** In the fabric: the switch port of a pod network's uplink. */
  static switchPort(podIndex: number, networkId: string): string {
    return ifname(`u${podIndex}-${idHex(networkId, 10)}`);
  }

  /** In the fabric: the switch port of the outside host on a segment. */
  static outsideSwitchPort(segmentKey: string): string {
    return ifname(`o-${hash(segmentKey, 8)}`);
  }

  /** In the outside host: its interface on a shared segment. */
  static outsideOnSegment(segmentKey: string): string {
    return ifname(`ex-${hash(segmentKey, 8)}`);
  }

  /** In the outside host: its interface on a pod-local network. */
  static outsideOnNetwork(networkId: string): string {
    return ifname(`ex-${idHex(networkId, 10)}`);
  }

  /** In a router: an interface (qr-) or the gateway (qg-), as Neutron's L3 agent names them. */
  static routerPort(portId: string, gateway: boolean): string {
    return ifname(`${gateway ? 'qg-' : 'qr-'}${idHex(portId, 10)}`);
  }

  /** In a VM: its NIC. */
  static readonly vmNic = 'eth0';
}
