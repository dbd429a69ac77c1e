import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createSimApp, newFaults } from '../common/http.js';
import type { SimFaults, SimGlanceApi, SimTokenValidator } from '../types.js';
import { CORE, setAttribute } from './attributes.js';
import { ImageStore } from './images.js';
import { PATCH_MEDIA_TYPES } from './patch.js';
import { dataRoutes } from './routes/data.js';
import { imageRoutes } from './routes/images.js';
import { memberRoutes } from './routes/members.js';
import { schemaRoutes } from './routes/schemas.js';
import { versionRoutes } from './routes/versions.js';
import { imageView } from './views.js';

export interface SimGlanceOptions {
  keystone: SimTokenValidator;
  /** Base URL of the app once listening (http://127.0.0.1:PORT). */
  publicUrl: () => string;
  /** Keystone base URL for WWW-Authenticate on 401. */
  keystoneUrl?: () => string;
  faults?: SimFaults;
  /** Seed a public active image named cirros-0.5.2-x86_64-disk owned by this project (default: seeded, owner ''). */
  seedOwner?: string;
}

export interface SimGlance {
  app: FastifyInstance;
  api: SimGlanceApi;
  store: ImageStore;
}

/** Name of the public image every simulated cloud starts with (as devstack uploads it). */
export const SEED_IMAGE_NAME = 'cirros-0.5.2-x86_64-disk';

/** A simulated Glance v2 (Zed), shared by every region. */
export function createGlanceSim(opts: SimGlanceOptions): SimGlance {
  const store = new ImageStore();
  const app = createSimApp({
    style: 'glance',
    faults: opts.faults ?? newFaults(),
    validator: opts.keystone,
    isPublic: (method, path) => method === 'GET' && (path === '/' || path === '/versions'),
    ...(opts.keystoneUrl && { authUri: opts.keystoneUrl }),
  });
  app.addContentTypeParser(PATCH_MEDIA_TYPES, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'ignore'));

  versionRoutes(app, opts.publicUrl);
  schemaRoutes(app);
  imageRoutes(app, store, opts.publicUrl);
  dataRoutes(app, store);
  memberRoutes(app, store);

  const seed = store.create(opts.seedOwner ?? '', undefined, (i) => {
    Object.assign(i, { name: SEED_IMAGE_NAME, visibility: 'public', disk_format: 'qcow2', container_format: 'bare' });
    i.extra.hw_rng_model = 'virtio';
  });
  store.upload(seed, randomBytes(4096));

  const api: SimGlanceApi = {
    getImage(id) {
      const image = store.images.get(id);
      return image && imageView(image);
    },
    createImage(projectId, name, props) {
      const image = store.create(projectId, undefined, (i) => {
        Object.assign(i, { name, visibility: 'private', disk_format: 'qcow2', container_format: 'bare' });
        for (const [key, value] of Object.entries(props)) {
          if (value === undefined || value === null) continue;
          try {
            setAttribute(i, key, value, { projectId, isAdmin: true }, true);
          } catch {
            // Nova passes instance metadata as-is; Glance keeps extra properties as strings.
            if (!CORE.has(key)) i.extra[key] = typeof value === 'string' ? value : JSON.stringify(value);
          }
        }
      });
      store.upload(image, randomBytes(1024));
      return image.id;
    },
    deleteImage(id) {
      if (store.images.has(id)) store.delete(id, { projectId: '', isAdmin: true });
    },
  };
  return { app, api, store };
}
