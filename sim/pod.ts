import type { FastifyInstance } from 'fastify';
import { newFaults } from './common/http.js';
import { SimListener } from './common/listener.js';
import { createCinderSim } from './cinder/index.js';
import { createGlanceSim } from './glance/index.js';
import { createNeutronSim, type Neutron } from './neutron/index.js';
import { createNovaSim } from './nova/index.js';
import type { SimFaults, SimGlanceApi, SimTokenValidator } from './types.js';

export interface SimPodOptions {
  region: string;
  az: string;
  host: string;
  keystone: SimTokenValidator;
  /** The Glance the pod's Nova reads images from: a shared one, or `own` for a Glance of the pod's own. */
  glance: SimGlanceApi | { own: { keystoneUrl: () => string; seedOwner?: string } };
  buildDelayMs?: number;
  /** Physical networks the pod's ML2 knows; undefined accepts any (see NeutronConfig). */
  physicalNetworks?: string[];
}

/**
 * One bottom pod: Nova, Cinder and Neutron (and optionally a Glance of its own), each on its own
 * port, sharing one SimFaults object (a pod is down, slow or failing as a whole).
 */
export class SimPod {
  readonly faults: SimFaults = newFaults();
  readonly nova: SimListener;
  readonly cinder: SimListener;
  readonly neutron: SimListener;
  /** The pod's own Glance, when it has one. */
  readonly glance: SimListener | undefined;
  /** The pod's Neutron state and services (what the dataplane realises). */
  readonly network: Neutron;
  private readonly apps: FastifyInstance[];

  constructor(
    readonly region: string,
    readonly az: string,
    opts: SimPodOptions,
  ) {
    const { faults } = this;
    const common = { region: opts.region, faults, keystone: opts.keystone };
    // Cinder's os-volume_upload_image registers images in the pod's Glance (made just below).
    let glanceApi: SimGlanceApi | undefined;
    const cinder = createCinderSim({ ...common, az: opts.az, publicUrl: () => this.cinder.url, buildDelayMs: opts.buildDelayMs, glance: () => glanceApi! });
    const neutron = createNeutronSim({ ...common, az: opts.az, publicUrl: () => this.neutron.url, physicalNetworks: opts.physicalNetworks });
    const own =
      'own' in opts.glance
        ? createGlanceSim({ keystone: opts.keystone, faults, publicUrl: () => this.glance!.url, keystoneUrl: opts.glance.own.keystoneUrl, seedOwner: opts.glance.own.seedOwner })
        : undefined;
    glanceApi = own ? own.api : (opts.glance as SimGlanceApi);
    const nova = createNovaSim({
      ...common,
      az: opts.az,
      neutron: neutron.api,
      cinder: cinder.api,
      glance: own ? own.api : (opts.glance as SimGlanceApi),
      publicUrl: () => this.nova.url,
      buildDelayMs: opts.buildDelayMs,
    });
    this.nova = new SimListener(nova, opts.host);
    this.cinder = new SimListener(cinder.app, opts.host);
    this.neutron = new SimListener(neutron.app, opts.host);
    this.glance = own ? new SimListener(own.app, opts.host) : undefined;
    this.network = neutron.neutron;
    this.apps = [nova, cinder.app, neutron.app, ...(own ? [own.app] : [])];
  }

  private get listeners(): SimListener[] {
    return [this.nova, this.cinder, this.neutron, ...(this.glance ? [this.glance] : [])];
  }

  async start(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.start()));
  }

  /** Changes fault settings; `down` closes or reopens the pod's listeners (same ports). */
  async setFaults(patch: Partial<SimFaults>): Promise<void> {
    Object.assign(this.faults, patch);
    if (this.faults.down) await Promise.all(this.listeners.map((l) => l.stop()));
    else await this.start();
  }

  async close(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.stop()));
    await Promise.all(this.apps.map((a) => a.close()));
  }

  info(): { region: string; az: string; novaUrl: string; cinderUrl: string; neutronUrl: string; glanceUrl?: string; faults: SimFaults } {
    return {
      region: this.region,
      az: this.az,
      novaUrl: this.nova.url,
      cinderUrl: this.cinder.url,
      neutronUrl: this.neutron.url,
      ...(this.glance ? { glanceUrl: this.glance.url } : {}),
      faults: { ...this.faults },
    };
  }
}
