import { answer, ok, type GatewayRouter } from '../../gateway/index.js';
import { FloatingIpCreate, type NetworkProxy, SecurityGroupBody, SecurityGroupRuleBody } from '../proxies/network.js';
import { SnapshotCreate, VolumeCreate, type VolumeProxy } from '../proxies/volume.js';

/** A handler answering 202 with no body once `run` is done (the proxies' deletes). */
const accepted =
  <C>(run: (call: C) => Promise<void>) =>
  async (call: C) => {
    await run(call);
    return answer(202);
  };

/** Nova's proxy APIs over the top networking and volume services: 404 from 2.36, as upstream. */
export function proxyRoutes(r: GatewayRouter, net: NetworkProxy, vol: VolumeProxy): void {
  const upTo = { maxVersion: '2.35' };
  for (const path of ['/os-volumes', '/os-volumes/detail']) r.get(path, async (call) => ok({ volumes: await vol.listVolumes(call) }), upTo);
  r.post('/os-volumes', async (call) => ok({ volume: await vol.createVolume(call) }), { ...upTo, body: VolumeCreate });
  r.get('/os-volumes/:volume_id', async (call) => ok({ volume: await vol.showVolume(call, call.params.volume_id) }), upTo);
  r.delete(
    '/os-volumes/:volume_id',
    accepted((call) => vol.deleteVolume(call, call.params.volume_id)),
    upTo,
  );

  for (const path of ['/os-snapshots', '/os-snapshots/detail']) r.get(path, async (call) => ok({ snapshots: await vol.listSnapshots(call) }), upTo);
  r.post('/os-snapshots', async (call) => ok({ snapshot: await vol.createSnapshot(call) }), { ...upTo, body: SnapshotCreate });
  r.get('/os-snapshots/:snapshot_id', async (call) => ok({ snapshot: await vol.showSnapshot(call, call.params.snapshot_id) }), upTo);
  r.delete(
    '/os-snapshots/:snapshot_id',
    accepted((call) => vol.deleteSnapshot(call, call.params.snapshot_id)),
    upTo,
  );

  r.get('/os-security-groups', async (call) => ok({ security_groups: await net.listSecurityGroups(call) }), upTo);
  r.post('/os-security-groups', async (call) => ok({ security_group: await net.createSecurityGroup(call) }), { ...upTo, body: SecurityGroupBody });
  r.get('/os-security-groups/:security_group_id', async (call) => ok({ security_group: await net.showSecurityGroup(call, call.params.security_group_id) }), upTo);
  r.put('/os-security-groups/:security_group_id', async (call) => ok({ security_group: await net.updateSecurityGroup(call, call.params.security_group_id) }), {
    ...upTo,
    body: SecurityGroupBody,
  });
  r.delete(
    '/os-security-groups/:security_group_id',
    accepted((call) => net.deleteSecurityGroup(call, call.params.security_group_id)),
    upTo,
  );
  r.post('/os-security-group-rules', async (call) => ok({ security_group_rule: await net.createRule(call) }), { ...upTo, body: SecurityGroupRuleBody });
  r.delete(
    '/os-security-group-rules/:security_group_rule_id',
    accepted((call) => net.deleteRule(call, call.params.security_group_rule_id)),
    upTo,
  );

  r.get('/os-floating-ip-pools', async (call) => ok({ floating_ip_pools: await net.floatingIpPools(call) }), upTo);
  r.get('/os-floating-ips', async (call) => ok({ floating_ips: await net.listFloatingIps(call) }), upTo);
  r.post('/os-floating-ips', async (call) => ok({ floating_ip: await net.allocateFloatingIp(call) }), { ...upTo, body: FloatingIpCreate });
  r.get('/os-floating-ips/:floating_ip_id', async (call) => ok({ floating_ip: await net.showFloatingIp(call, call.params.floating_ip_id) }), upTo);
  r.delete(
    '/os-floating-ips/:floating_ip_id',
    accepted((call) => net.releaseFloatingIp(call, call.params.floating_ip_id)),
    upTo,
  );

  r.get('/os-networks', async (call) => ok({ networks: await net.listNetworks(call, false) }), upTo);
  r.get('/os-networks/:network_id', async (call) => ok({ network: await net.showNetwork(call, call.params.network_id, false) }), upTo);
  r.get('/os-tenant-networks', async (call) => ok({ networks: await net.listNetworks(call, true) }), upTo);
  r.get('/os-tenant-networks/:network_id', async (call) => ok({ network: await net.showNetwork(call, call.params.network_id, true) }), upTo);
}
