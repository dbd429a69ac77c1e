import { randomUUID } from 'node:crypto';
import type { BottomCallContext, PodClientFactory, RawRequest } from '../bottom/index.js';
import type { PodRef, ServiceType } from '../identity/index.js';
import { fail, messageOf, pass, type CheckResult } from './report.js';

const CHECK = 'admin rights';

/** A cheap call each service allows only to admins by default policy. */
const ADMIN_ONLY: Partial<Record<ServiceType, { label: string; req: () => RawRequest }>> = {
  compute: { label: 'Nova', req: () => ({ method: 'GET', path: '/os-services' }) },
  volumev3: { label: 'Cinder', req: () => ({ method: 'GET', path: '/os-services' }) },
  network: { label: 'Neutron', req: () => ({ method: 'GET', path: '/network-ip-availabilities', query: { network_id: randomUUID() } }) },
};

/**
 * The service account must be admin in every pod service: Tricircle creates provider networks,
 * flavors and shared segments there.
 */
export async function checkAdminRights(clients: PodClientFactory, pod: PodRef, services: ServiceType[], ctx: BottomCallContext, timeoutMs: number): Promise<CheckResult> {
  const probes = services.flatMap((type) => {
    const probe = ADMIN_ONLY[type];
    return probe ? [{ type, ...probe }] : [];
  });
  const outcomes = await Promise.all(
    probes.map(async ({ type, label, req }) => {
      try {
        const res = await clients.client(pod, type).request(ctx, { ...req(), asAdmin: true, timeoutMs });
        if (res.status < 300) return { label, ok: true, why: '' };
        const err = clients.client(pod, type).error(res.status, res.body, res.headers);
        return { label, ok: false, why: res.status === 403 ? `${label}: not admin (${err.message})` : `${label}: HTTP ${res.status} ${err.message}` };
      } catch (err) {
        return { label, ok: false, why: `${label}: ${messageOf(err)}` };
      }
    }),
  );
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) return fail(CHECK, `the service account lacks admin rights: ${failed.map((o) => o.why).join('; ')}`);
  return pass(CHECK, `the service account is admin in ${outcomes.map((o) => o.label).join(', ')}`);
}
