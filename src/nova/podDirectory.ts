import type { Pod, PodRegistry } from '../pods/index.js';

/**
 * The pod table as the gateway reads it on every request: cached for a moment (pods change rarely,
 * and a stale view for a second or two only delays when a new pod or a disabled flag is seen).
 */
export class PodDirectory {
  private cached: { pods: Pod[]; byId: Map<string, Pod>; expiresAt: number } | undefined;
  private loading: Promise<Pod[]> | undefined;

  constructor(
    private readonly registry: PodRegistry,
    private readonly ttlMs = 2000,
  ) {}

  async all(): Promise<Pod[]> {
    const c = this.cached;
    if (c && c.expiresAt > Date.now()) return c.pods;
    this.loading ??= this.registry
      .list()
      .then((pods) => {
        this.cached = { pods, byId: new Map(pods.map((p) => [p.id, p])), expiresAt: Date.now() + this.ttlMs };
        return pods;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Bottom pods (those with an availability zone), in region-name order. */
  async bottom(): Promise<Pod[]> {
    return (await this.all()).filter((p) => p.azName !== '');
  }

  async top(): Promise<Pod | undefined> {
    return (await this.all()).find((p) => p.azName === '');
  }

  async get(id: string): Promise<Pod | undefined> {
    await this.all();
    const found = this.cached?.byId.get(id);
    if (found) return found;
    // A pod registered a moment ago: read through once.
    const pod = await this.registry.find(id);
    if (pod) this.invalidate();
    return pod;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
