import type { Config } from '../config/index.js';

export interface ImageCopySettings {
  /** shared: pods already have the images; copy: a boot copies a missing image into its pod first. */
  mode: 'shared' | 'copy';
  /** How long a boot waits for its image's copy, in ms. */
  copyWaitMs: number;
}

export function imageCopySettings(config: Config): ImageCopySettings {
  return { mode: config.images.mode === 'copy' ? 'copy' : 'shared', copyWaitMs: config.images.copy_wait * 1000 };
}
