import type { ServiceTokenSource, ServiceType } from '../identity/index.js';
import { EndpointNotFoundError } from '../identity/index.js';
import { checkAdminRights } from './adminRights.js';
import { checkApi, POD_SERVICES } from './apis.js';
import { checkContext, type PodUnderCheck, type PreflightDeps, type TopView } from './context.js';
import { checkExternalNetworks } from './externalNetworks.js';
import { checkImages } from './images.js';
import { checkVlanRanges } from './providerNetworks.js';
import { fail, messageOf, pass, reportOf, skip, type CheckResult, type PodCheckReport } from './report.js';

export interface PodCheckDeps extends PreflightDeps {
  serviceAuth: Pick<ServiceTokenSource, 'getToken'>;
}

/**
 * Checks that Tricircle can work with a pod: the service account authenticates; each service in its
 * catalog answers with an API version Tricircle speaks; the account is admin there; provider networks
 * on the configured physical networks and VLAN ranges can be made; the physnets of the top's
 * external networks placed there exist; the top's images are visible under the same ids. For the top
 * pod only its catalog endpoints are checked. Never throws: every problem is a failed check.
 */
export async function checkPod(pod: PodUnderCheck, view: TopView, deps: PodCheckDeps): Promise<PodCheckReport> {
  const checks: CheckResult[] = [];
  const { timeoutMs } = deps.settings;
  try {
    const token = await deps.serviceAuth.getToken();
    checks.push(pass('service account', `token issued for project ${token.projectId}`));
  } catch (err) {
    checks.push(fail('service account', messageOf(err)));
    return reportOf(pod, checks);
  }

  const urls = new Map<ServiceType, string>();
  const apiChecks = await Promise.all(
    POD_SERVICES.map(async ({ type, label }) => {
      let url: string;
      try {
        url = await deps.endpoints.resolve(pod, type);
      } catch (err) {
        if (err instanceof EndpointNotFoundError) return fail(label, `no public ${type} endpoint for region ${pod.regionName} in the Keystone catalog, and no override`);
        return fail(label, messageOf(err));
      }
      const result = await checkApi(type, label, url, timeoutMs);
      if (result.result === 'pass') urls.set(type, url);
      return result;
    }),
  );
  checks.push(...apiChecks);
  if (pod.isTop) return reportOf(pod, checks);

  const ctx = checkContext();
  const answering = POD_SERVICES.map((s) => s.type).filter((t) => urls.has(t));
  checks.push(answering.length ? await checkAdminRights(deps.clients, pod, answering, ctx, timeoutMs) : skip('admin rights', 'no service of the pod answered'));

  const neutron = deps.clients.neutron(pod);
  const { vlanRanges, badVlanRanges } = deps.settings;
  if (!urls.has('network')) {
    checks.push(skip('physnets', 'the network API failed'));
  } else {
    if (badVlanRanges.length) checks.push(fail('physnets', `[tricircle] network_vlan_ranges entries that are not physnet or physnet:min:max: ${badVlanRanges.join(', ')}`));
    if (vlanRanges.length === 0 && !badVlanRanges.length) checks.push(skip('physnets', 'no vlan networks configured ([tricircle] type_drivers, network_vlan_ranges)'));
    checks.push(...(await checkVlanRanges(neutron, vlanRanges, ctx, timeoutMs)));
  }

  if (!urls.has('network')) checks.push(skip('external networks', 'the network API failed'));
  else if (!view.top) checks.push(skip('external networks', 'no top pod is registered'));
  else {
    const placement = { defaultRegion: deps.settings.defaultExternalRegion, bottomPodCount: view.bottomPodCount };
    checks.push(await checkExternalNetworks(deps.clients.neutron(view.top), neutron, pod, placement, ctx, timeoutMs));
  }

  const podImageUrl = urls.get('image');
  if (!podImageUrl) checks.push(skip('images', 'the image API failed'));
  else if (!view.top) checks.push(skip('images', 'no top pod is registered'));
  else {
    let topImageUrl: string | undefined;
    try {
      topImageUrl = await deps.endpoints.resolve(view.top, 'image');
    } catch (err) {
      checks.push(fail('images', `the top region has no usable image endpoint: ${messageOf(err)}`));
    }
    if (topImageUrl) {
      checks.push(
        await checkImages(
          { glance: deps.clients.glance(view.top), url: topImageUrl },
          { glance: deps.clients.glance(pod), url: podImageUrl },
          ctx,
          timeoutMs,
          deps.settings.copiesImages,
        ),
      );
    }
  }
  return reportOf(pod, checks);
}

/** Checks several pods at once; reports come back in the order of `pods`. */
export function checkPods(pods: PodUnderCheck[], view: TopView, deps: PodCheckDeps): Promise<PodCheckReport[]> {
  return Promise.all(pods.map((pod) => checkPod(pod, view, deps)));
}
