// Agents of the simulated pod (one network node: DHCP, L3, Open vSwitch and metadata agents) and their
// schedulers: which networks a DHCP agent serves and which routers an L3 agent hosts. Every network
// with a DHCP-enabled subnet is served by the DHCP agent and every router is hosted by the L3 agent,
// unless an admin removed it from the agent; an admin may add it back.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.js';
import { badRequest, err, notFound, policyNotAuthorized } from '../errors.js';
import { listResponse, type CollectionSpec, type View } from '../query.js';
import { networkView, routerView } from '../views.js';
import { ctxOf, queryOf, type RouteDeps } from './common.js';

const AGENT_SPEC: CollectionSpec = {
  collection: 'agents',
  path: 'agents',
  tagged: false,
  filters: { agent_type: 'str', binary: 'str', host: 'str', topic: 'str', availability_zone: 'str', admin_state_up: 'bool', alive: 'bool', description: 'str' },
};

interface AgentRec {
  id: string;
  agent_type: string;
  binary: string;
  topic: string;
  admin_state_up: boolean;
  description: string | null;
  /** Networks or routers taken off (DHCP, L3) or put on the agent by an admin. */
  removed: Set<string>;
  added: Set<string>;
}

const KINDS: [type: string, binary: string, topic: string][] = [
  ['DHCP agent', 'neutron-dhcp-agent', 'dhcp_agent'],
  ['L3 agent', 'neutron-l3-agent', 'l3_agent'],
  ['Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A'],
  ['Metadata agent', 'neutron-metadata-agent', 'N/A'],
];

const agentNotFound = (id: string) => err(404, 'AgentNotFound', `Agent ${id} could not be found.`);

function stableId(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function registerAgentRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const n = deps.neutron;
  const s = n.state;
  const host = s.config.networkHost;
  const started = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
  const agents = new Map<string, AgentRec>();
  for (const [agent_type, binary, topic] of KINDS) {
    const id = stableId(`${host}:${binary}`);
    agents.set(id, { id, agent_type, binary, topic, admin_state_up: true, description: null, removed: new Set(), added: new Set() });
  }
  const admin = (ctx: Ctx, rule: string) => {
    if (!ctx.isAdmin) throw policyNotAuthorized([rule]);
  };
  const view = (a: AgentRec): View => ({
    id: a.id,
    agent_type: a.agent_type,
    binary: a.binary,
    host,
    topic: a.topic,
    admin_state_up: a.admin_state_up,
    alive: true,
    availability_zone: a.agent_type === 'DHCP agent' || a.agent_type === 'L3 agent' ? s.config.availabilityZones[0] : null,
    configurations: {},
    description: a.description,
    created_at: started,
    started_at: started,
    heartbeat_timestamp: new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ''),
    resources_synced: null,
  });
  const get = (id: string) => {
    const a = agents.get(id);
    if (!a) throw agentNotFound(id);
    return a;
  };
  const ofType = (type: string) => [...agents.values()].find((a) => a.agent_type === type);
  const dhcpNetworks = (a: AgentRec) =>
    [...s.networks.values()]
      .filter((net) => a.added.has(net.id) || (!a.removed.has(net.id) && [...s.subnets.values()].some((sub) => sub.network_id === net.id && sub.enable_dhcp)))
      .map((net) => net.id);
  const l3Routers = (a: AgentRec) => [...s.routers.values()].filter((r) => a.added.has(r.id) || !a.removed.has(r.id)).map((r) => r.id);

  app.get('/v2.0/agents', async (req) => {
    admin(ctxOf(req), 'get_agent');
    const all = [...agents.values()].map(view);
    return listResponse(AGENT_SPEC, all, queryOf(req), {
      baseUrl: `${deps.publicUrl()}/v2.0/agents`,
      viewOf: (v) => v,
      findMarker: (id) => all.find((a) => a.id === id),
      markerNotFound: agentNotFound,
    });
  });
  app.get('/v2.0/agents/:id', async (req) => {
    admin(ctxOf(req), 'get_agent');
    return { agent: view(get((req.params as { id: string }).id)) };
  });
  app.put('/v2.0/agents/:id', async (req) => {
    admin(ctxOf(req), 'update_agent');
    const a = get((req.params as { id: string }).id);
    const body = (req.body as { agent?: Record<string, unknown> } | undefined)?.agent;
    if (!body || typeof body !== 'object') throw badRequest('Resource body required');
    for (const k of Object.keys(body)) if (k !== 'admin_state_up' && k !== 'description') throw badRequest(`Cannot update read-only attribute ${k}`);
    if (body.admin_state_up !== undefined) a.admin_state_up = Boolean(body.admin_state_up);
    if (body.description !== undefined) a.description = body.description === null ? null : String(body.description);
    return { agent: view(a) };
  });
  app.delete('/v2.0/agents/:id', async (req, reply) => {
    admin(ctxOf(req), 'delete_agent');
    const a = get((req.params as { id: string }).id);
    agents.delete(a.id);
    return reply.code(204).send();
  });

  const scheduler = (kind: 'dhcp' | 'l3') => {
    const type = kind === 'dhcp' ? 'DHCP agent' : 'L3 agent';
    const list = kind === 'dhcp' ? '/v2.0/agents/:id/dhcp-networks' : '/v2.0/agents/:id/l3-routers';
    const key = kind === 'dhcp' ? 'network_id' : 'router_id';
    const hosted = kind === 'dhcp' ? dhcpNetworks : l3Routers;
    const exists = (id: string) => (kind === 'dhcp' ? s.networks.has(id) : s.routers.has(id));
    const missing = kind === 'dhcp' ? notFound.network : notFound.router;
    const agentOfKind = (id: string) => {
      const a = get(id);
      if (a.agent_type !== type) throw err(404, 'AgentNotFound', `Agent ${id} could not be found.`);
      return a;
    };
    app.get(list, async (req) => {
      const ctx = ctxOf(req);
      admin(ctx, kind === 'dhcp' ? 'get_dhcp-networks' : 'get_l3-routers');
      const a = agentOfKind((req.params as { id: string }).id);
      return kind === 'dhcp'
        ? { networks: hosted(a).map((id) => networkView(s, ctx, s.networks.get(id)!)) }
        : { routers: hosted(a).map((id) => routerView(s, ctx, s.routers.get(id)!)) };
    });
    app.post(list, async (req, reply) => {
      admin(ctxOf(req), kind === 'dhcp' ? 'create_dhcp-network' : 'create_l3-router');
      const a = agentOfKind((req.params as { id: string }).id);
      const id = (req.body as Record<string, unknown> | undefined)?.[key];
      if (typeof id !== 'string') throw badRequest(`Failed to parse request. Required attribute '${key}' not specified`);
      if (!exists(id)) throw missing(id);
      if (hosted(a).includes(id)) {
        throw kind === 'dhcp'
          ? err(409, 'NetworkHostedByDHCPAgent', `The network ${id} has been already hosted by the DHCP Agent ${a.id}.`)
          : err(409, 'RouterHostedByL3Agent', `The router ${id} has been already hosted by the L3 Agent ${a.id}.`);
      }
      a.removed.delete(id);
      a.added.add(id);
      return reply.code(201).send();
    });
    app.delete(`${list}/:child`, async (req, reply) => {
      admin(ctxOf(req), kind === 'dhcp' ? 'delete_dhcp-network' : 'delete_l3-router');
      const { id, child } = req.params as { id: string; child: string };
      const a = agentOfKind(id);
      if (!hosted(a).includes(child)) {
        throw kind === 'dhcp'
          ? err(409, 'NetworkNotHostedByDhcpAgent', `The network ${child} is not hosted by the DHCP agent ${a.id}.`)
          : err(409, 'RouterNotHostedByL3Agent', `The router ${child} is not hosted by L3 agent ${a.id}.`);
      }
      a.added.delete(child);
      a.removed.add(child);
      return reply.code(204).send();
    });
    const reverse = kind === 'dhcp' ? '/v2.0/networks/:id/dhcp-agents' : '/v2.0/routers/:id/l3-agents';
    app.get(reverse, async (req) => {
      admin(ctxOf(req), kind === 'dhcp' ? 'get_dhcp-agents' : 'get_l3-agents');
      const { id } = req.params as { id: string };
      if (!exists(id)) throw missing(id);
      const a = ofType(type);
      return { agents: a && hosted(a).includes(id) ? [view(a)] : [] };
    });
  };
  scheduler('dhcp');
  scheduler('l3');
}
