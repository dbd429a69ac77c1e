import { forbidden, notFound } from '../../common/index.js';
import type { RequestContext } from '../../identity/index.js';
import type { PolicyEnforcer } from '../../policy/index.js';
import type { Relay } from '../relay.js';
import { authorizeAdmin } from '../policy.js';
import type { VolumeTypeService } from './service.js';
import type { VolumeTypeStore } from './store.js';

/**
 * Default volume types per project (3.62, `/v3/default-types`), owned by the top: a volume created
 * without a type gets its project's default (a top type, copied into the pod as any type is). The
 * pods never see these rows.
 */
export class DefaultTypes {
  constructor(
    private readonly store: VolumeTypeStore,
    private readonly types: VolumeTypeService,
    private readonly policy: PolicyEnforcer,
  ) {}

  private view(projectId: string, typeId: string) {
    return { project_id: projectId, volume_type_id: typeId };
  }

  async set(ctx: RequestContext, projectId: string, typeRef: string): Promise<Relay> {
    authorizeAdmin(this.policy, ctx, 'volume_extension:default_set_or_update');
    const type = await this.types.resolve(ctx, typeRef);
    await this.store.setProjectDefault(projectId, type.id);
    return { status: 200, headers: {}, body: { default_type: this.view(projectId, type.id) } };
  }

  /** Admins, and the project's own members, may read a project's default. */
  async get(ctx: RequestContext, projectId: string): Promise<Relay> {
    if (!ctx.isAdmin && ctx.projectId !== projectId) throw forbidden("Policy doesn't allow volume_extension:default_get to be performed.");
    const typeId = await this.store.projectDefault(projectId);
    if (typeId === undefined) throw notFound(`Default type for project ${projectId} could not be found.`);
    return { status: 200, headers: {}, body: { default_type: this.view(projectId, typeId) } };
  }

  async list(ctx: RequestContext): Promise<Relay> {
    authorizeAdmin(this.policy, ctx, 'volume_extension:default_get_all');
    return { status: 200, headers: {}, body: { default_types: (await this.store.projectDefaults()).map((d) => this.view(d.projectId, d.typeId)) } };
  }

  async unset(ctx: RequestContext, projectId: string): Promise<Relay> {
    authorizeAdmin(this.policy, ctx, 'volume_extension:default_unset');
    if (!(await this.store.deleteProjectDefault(projectId))) throw notFound(`Default type for project ${projectId} could not be found.`);
    return { status: 204, headers: {} };
  }
}
