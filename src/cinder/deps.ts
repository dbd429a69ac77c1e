import type { PodScheduler } from '../pods/index.js';
import type { CoreServices } from '../services.js';
import type { CinderSettings } from './settings.js';

/** What the gateway's services are built from. */
export interface CinderDeps {
  core: CoreServices;
  settings: CinderSettings;
  scheduler: PodScheduler;
  /** The gateway's public base URL (no trailing slash); known once the listener is bound. */
  publicUrl: () => string;
}
