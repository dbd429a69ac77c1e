// The service layer of one simulated Nova, wired together (no Fastify in here).
import { AdminResources } from './admin.js';
import { TransitionTimers } from './apiutil.js';
import { ServerActions } from './actions.js';
import { FlavorService, KeypairService, QuotaService } from './catalog.js';
import { NovaLinks, type NovaSimDeps } from './context.js';
import { ServerParts } from './parts.js';
import { ServerService } from './servers.js';
import { NovaState } from './state.js';
import { NovaViews } from './views.js';

export interface NovaServices {
  deps: NovaSimDeps;
  state: NovaState;
  timers: TransitionTimers;
  links: NovaLinks;
  views: NovaViews;
  servers: ServerService;
  actions: ServerActions;
  parts: ServerParts;
  flavors: FlavorService;
  keypairs: KeypairService;
  quotas: QuotaService;
  admin: AdminResources;
}

export function createNovaServices(deps: NovaSimDeps): NovaServices {
  const state = new NovaState();
  const timers = new TransitionTimers(deps.buildDelayMs ?? 50);
  const links = new NovaLinks(deps.publicUrl);
  const views = new NovaViews(deps, links);
  const servers = new ServerService(state, deps, views, timers);
  const admin = new AdminResources(servers);
  servers.admin = admin;
  views.groupsOf = (id) => admin.groupsOf(id);
  return {
    deps,
    state,
    timers,
    links,
    views,
    servers,
    actions: new ServerActions(servers, views, links, deps.shelvedOffloadTime ?? 0),
    parts: new ServerParts(servers, views),
    flavors: new FlavorService(state),
    keypairs: new KeypairService(state),
    quotas: new QuotaService(state),
    admin,
  };
}
