// The in-process interface the simulated Nova of the same pod uses (real Nova talks to Neutron over
// HTTP with the user's token for port creation and an admin token for binding).
import type { SimNeutronApi, SimPort } from '../types.js';
import { parseUpdate, type Body } from './attributes.js';
import type { Ctx } from './context.js';
import type { Neutron } from './core.js';
import { invalidAttr, notFound, pyRepr } from './errors.js';
import { PORT_ATTRS } from './ports.js';
import { networkView, portView, subnetView } from './views.js';

const ADMIN: Ctx = { projectId: '', isAdmin: true };
const PORT_STATUSES = ['ACTIVE', 'DOWN', 'BUILD', 'ERROR'];
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function unwrap(body: Record<string, unknown>): Body {
  const inner = body.port;
  return inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Body) : body;
}

export function createNeutronApi(n: Neutron): SimNeutronApi {
  const s = n.state;
  const view = (id: string): SimPort => portView(s, ADMIN, s.ports.get(id)!) as SimPort;
  return {
    getNetwork(id) {
      const net = s.networks.get(id);
      return net ? networkView(s, ADMIN, net) : undefined;
    },
    getSubnet(id) {
      const subnet = s.subnets.get(id);
      return subnet ? subnetView(s, ADMIN, subnet) : undefined;
    },
    getPort(id) {
      return s.ports.has(id) ? view(id) : undefined;
    },
    listPorts(filter) {
      return [...s.ports.values()]
        .filter((p) => filter.device_id === undefined || p.device_id === filter.device_id)
        .filter((p) => filter.network_id === undefined || p.network_id === filter.network_id)
        .map((p) => view(p.id));
    },
    createPort(projectId, body) {
      const attrs = unwrap(body);
      const netId = attrs.network_id;
      const net = typeof netId === 'string' ? s.networks.get(netId) : undefined;
      // The port is made on behalf of the project: its networks must be its own or shared.
      if (typeof netId === 'string' && (!net || !(net.project_id === projectId || net.shared || net.shared_with?.includes(projectId)))) {
        throw notFound.network(netId);
      }
      const ctx: Ctx = { projectId, isAdmin: true };
      const port = n.tx(() => {
        // Nova resolves security group names of the project to ids before asking Neutron.
        if (Array.isArray(attrs.security_groups)) {
          attrs.security_groups = attrs.security_groups.map((g) => {
            if (typeof g !== 'string' || UUID_RE.test(g)) return g;
            if (g === 'default') return n.securityGroups.ensureDefault(projectId).id;
            const found = [...s.securityGroups.values()].find((sg) => sg.project_id === projectId && sg.name === g);
            if (!found) throw notFound.securityGroup(g);
            return found.id;
          });
        }
        return n.ports.create(ctx, { ...attrs, project_id: projectId });
      });
      return view(port.id);
    },
    updatePort(id, patch) {
      const port = s.ports.get(id);
      if (!port) throw notFound.port(id);
      const net = s.networks.get(port.network_id)!;
      n.tx(() => {
        // `status` is what the L2 agent reports once the VIF is plugged or unplugged; Nova drives it here.
        const { status, ...attrs } = unwrap(patch);
        if (status !== undefined && !PORT_STATUSES.includes(status as string)) {
          throw invalidAttr('status', `${String(status)} is not in ${pyRepr(PORT_STATUSES)}`);
        }
        const { values, explicit } = parseUpdate(PORT_ATTRS, attrs);
        n.ports.applyUpdate(ADMIN, port, net, values, explicit);
        if (status !== undefined && status !== port.status) {
          port.status = status as string;
          s.touch(port);
        }
      });
      return view(id);
    },
    deletePort(id) {
      const port = s.ports.get(id);
      if (!port) throw notFound.port(id);
      n.tx(() => n.ports.remove(port));
    },
  };
}
