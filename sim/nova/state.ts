// In-memory store of the simulated Nova: servers, flavors, key pairs and quota limits of one pod.
import type { SimCaller } from '../types.js';
import { SimServiceError } from '../types.js';
import { DEFAULT_QUOTAS, type Flavor, type Keypair, type QuotaLimits, type Server } from './model.js';

interface SeedFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

/** The flavors a fresh DevStack-like pod offers. */
const SEED_FLAVORS: SeedFlavor[] = [
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1 },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  { id: '4', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80 },
  { id: '5', name: 'm1.xlarge', vcpus: 8, ram: 16384, disk: 160 },
  { id: '42', name: 'm1.nano', vcpus: 1, ram: 128, disk: 1 },
  { id: '84', name: 'm1.micro', vcpus: 1, ram: 192, disk: 1 },
];

export class NovaState {
  readonly servers = new Map<string, Server>();
  readonly flavors = new Map<string, Flavor>();
  /** Key pairs by user id, then by name. */
  readonly keypairs = new Map<string, Map<string, Keypair>>();
  /** Per-project overrides of the default quota limits. */
  readonly quotas = new Map<string, Partial<QuotaLimits>>();
  private flavorSeq = 0;
  private keypairSeq = 0;
  private serverSeq = 0;

  constructor() {
    const now = new Date();
    for (const f of SEED_FLAVORS) {
      this.addFlavor({
        id: f.id,
        name: f.name,
        vcpus: f.vcpus,
        ram: f.ram,
        disk: f.disk,
        ephemeral: 0,
        swap: 0,
        rxtxFactor: 1.0,
        isPublic: true,
        disabled: false,
        description: null,
        extraSpecs: {},
        access: new Set(),
        createdAt: now,
        updatedAt: null,
      });
    }
  }

  nextServerSeq(): number {
    return ++this.serverSeq;
  }

  addFlavor(f: Omit<Flavor, 'seq'>): Flavor {
    const flavor: Flavor = { ...f, seq: ++this.flavorSeq };
    this.flavors.set(flavor.id, flavor);
    return flavor;
  }

  /** Whether the caller may see and use a flavor (public, admin, or granted access). */
  flavorVisible(f: Flavor, caller: SimCaller): boolean {
    return f.isPublic || caller.isAdmin || f.access.has(caller.projectId);
  }

  /** A flavor by id for the caller; 404 "Flavor X could not be found." */
  flavorFor(id: string, caller: SimCaller): Flavor {
    const f = this.flavors.get(id);
    if (!f || !this.flavorVisible(f, caller)) throw new SimServiceError(404, `Flavor ${id} could not be found.`);
    return f;
  }

  /** A server by id as the caller may see it; 404 "Instance X could not be found." */
  serverFor(id: string, caller: SimCaller): Server {
    const s = this.servers.get(id);
    if (!s || (!caller.isAdmin && s.projectId !== caller.projectId)) {
      throw new SimServiceError(404, `Instance ${id} could not be found.`);
    }
    return s;
  }

  keypairsOf(userId: string): Map<string, Keypair> {
    let m = this.keypairs.get(userId);
    if (!m) {
      m = new Map();
      this.keypairs.set(userId, m);
    }
    return m;
  }

  nextKeypairId(): number {
    return ++this.keypairSeq;
  }

  quotaLimits(projectId: string): QuotaLimits {
    return { ...DEFAULT_QUOTAS, ...(this.quotas.get(projectId) ?? {}) };
  }

  /** Resources used by a project's servers and a user's key pairs. */
  usage(projectId: string, userId?: string): { instances: number; cores: number; ram: number; key_pairs: number } {
    let instances = 0;
    let cores = 0;
    let ram = 0;
    for (const s of this.servers.values()) {
      if (s.projectId !== projectId) continue;
      instances += 1;
      cores += s.flavor.vcpus;
      ram += s.flavor.ram;
    }
    return { instances, cores, ram, key_pairs: userId ? (this.keypairs.get(userId)?.size ?? 0) : 0 };
  }
}
