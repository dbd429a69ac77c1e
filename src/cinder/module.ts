import { BodyValidator, CINDER_STYLE, mountService, type GatewayService } from '../gateway/index.js';
import { PodScheduler } from '../pods/index.js';
import type { HttpServiceModule } from '../services.js';
import type { CinderDeps } from './deps.js';
import { CinderPods } from './podCalls.js';
import { GroupService, groupRoutes } from './groups/index.js';
import { GroupTypeService, GroupTypeStore, GroupTypeSync, groupTypeRoutes } from './grouptypes/index.js';
import { VolumeQuotas } from './quotas/admission.js';
import { CinderQuotaClasses } from './quotas/classes.js';
import { CinderQuotaService } from './quotas/service.js';
import { quotaRoutes } from './quotas/routes.js';
import { PodPicker, PodResourceLister } from './resources/lister.js';
import { AdminViews } from './resources/admin.js';
import { adminRoutes, storageRoutes } from './resources/routes.js';
import { PodResources } from './resources/service.js';
import { StorageService } from './resources/storage.js';
import { defaultTypeRoutes, qosRoutes } from './qos/routes.js';
import { QosService } from './qos/service.js';
import { loadCinderSettings } from './settings.js';
import { DefaultTypes } from './types/defaults.js';
import { TypeEncryption, encryptionRoutes } from './types/encryption.js';
import { typeRoutes } from './types/routes.js';
import { VolumeTypeService } from './types/service.js';
import { VolumeTypeStore } from './types/store.js';
import { VolumeTypeSync } from './types/sync.js';
import { VERSION_RANGE, isCinderPublicPath, versionRoutes } from './versions.js';
import { VolumeActions } from './volumes/actions.js';
import { VolumeCreator } from './volumes/create.js';
import { VolumeLister } from './volumes/list.js';
import { VolumePlacement } from './volumes/placement.js';
import { volumeRoutes } from './volumes/routes.js';
import { VolumeService } from './volumes/service.js';

/** The Cinder API gateway (block storage v3, and v2) on `[cinder_apigw]`'s listener. See docs/cinder-api.md. */
export const cinderApiModule: HttpServiceModule = {
  name: 'cinder-apigw',
  faultStyle: 'compute',
  listener: (config) => config.cinder_apigw,
  isPublic: isCinderPublicPath,
  async register(app, core, publicUrl) {
    const deps: CinderDeps = { core, settings: loadCinderSettings(core.config), scheduler: new PodScheduler(core.db), publicUrl };
    const validator = new BodyValidator(CINDER_STYLE);
    const service: GatewayService = {
      // /v3 without a project is 3.67's project-less form.
      prefixes: [
        { path: '/v3/:project_id', api: 'v3' },
        { path: '/v2/:project_id', api: 'v2', microversions: false },
        { path: '/v3', api: 'v3' },
      ],
      microversions: { serviceType: 'volume', range: () => VERSION_RANGE },
      validator,
      publicUrl,
    };
    const pods = new CinderPods(deps);
    const typeStore = new VolumeTypeStore(core.db);
    const typeSync = new VolumeTypeSync(deps, pods, typeStore);
    const types = new VolumeTypeService(typeStore, typeSync, core.policy, validator);
    const placement = new VolumePlacement(deps);
    const volumeQuotas = new VolumeQuotas(core.db, core.routings);
    const volumes = new VolumeService(pods, placement, typeSync, (id) => volumeQuotas.released(id));

    const router = mountService(app, service);
    versionRoutes(app, router, publicUrl);
    volumeRoutes(router, {
      creator: new VolumeCreator(deps, pods, placement, types, typeSync, volumeQuotas),
      lister: new VolumeLister(deps, pods, placement, typeStore, typeSync),
      volumes,
      actions: new VolumeActions(deps, volumes, types, typeSync, volumeQuotas),
    });
    typeRoutes(router, types);
    qosRoutes(router, new QosService(deps, pods, core.policy, types, typeSync));
    defaultTypeRoutes(router, new DefaultTypes(typeStore, types, core.policy));
    encryptionRoutes(router, new TypeEncryption(core.db, pods, core.policy, types, typeSync));
    const quotaClasses = new CinderQuotaClasses(volumeQuotas, core.policy, async () => (await typeStore.list()).map((t) => t.name));
    quotaRoutes(router, new CinderQuotaService(deps, pods, volumeQuotas, quotaClasses), quotaClasses);
    const groupTypes = new GroupTypeService(new GroupTypeStore(core.db), new GroupTypeSync(deps, pods), core.policy);
    groupTypeRoutes(router, groupTypes);
    const picker = new PodPicker(deps);
    const resources = new PodResources(deps, pods);
    const lister = new PodResourceLister(deps, pods, picker);
    storageRoutes(router, { lister, resources, storage: new StorageService(deps, resources, placement, volumeQuotas) });
    adminRoutes(router, new AdminViews(deps, pods, picker, resources, placement));
    groupRoutes(router, new GroupService(deps, resources, lister, groupTypes, types, typeSync, placement));
  },
};
