import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/common/errors.js';
import { createRequestContext } from '../../src/identity/index.js';
import type { BottomRule, BottomSecurityGroupApi } from '../../src/wiring/securityGroups/bottomApi.js';
import type { RuleMatch, SecurityGroup, SecurityGroupRule } from '../../src/network/securityGroups/model.js';
import { SecurityGroupSync, type SecurityGroupSyncOptions } from '../../src/wiring/securityGroups/sync.js';
import type { Pod } from '../../src/pods/index.js';
import type { Routing } from '../../src/routing/index.js';

const ctx = createRequestContext({ userId: 'u', projectId: 'p1', roles: ['member'], authToken: 't', requestId: 'req-1' });
const pod = (id: string): Pod => ({ id, regionName: `Region-${id}`, azName: 'az', podAzName: '', dcName: '', disabled: false, health: 'up', createdAt: 0, updatedAt: 0 });
const PODS = { a: pod('a'), b: pod('b') };

const group: SecurityGroup = { id: 'sg1', projectId: 'p1', name: 'g', description: 'd', stateful: true, tags: [], revisionNumber: 1, createdAt: 0, updatedAt: 0 };

function topRule(id: string, over: Partial<RuleMatch>): SecurityGroupRule {
  return {
    id,
    securityGroupId: 'sg1',
    projectId: 'p1',
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: null,
    portRangeMin: null,
    portRangeMax: null,
    remoteIpPrefix: null,
    remoteGroupId: null,
    remoteAddressGroupId: null,
    description: '',
    revisionNumber: 1,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

/** Pods' Neutron in memory; `fail` decides per call whether a pod refuses. */
class FakeBottom implements BottomSecurityGroupApi {
  groups = new Map<string, { pod: string; id: string; name: string; description: string }>();
  rules = new Map<string, BottomRule & { pod: string }>();
  fail: (op: string, podId: string) => ApiError | undefined = () => undefined;
  private n = 0;

  private check(op: string, p: Pod) {
    const err = this.fail(op, p.id);
    if (err) throw err;
  }
  async createGroup(p: Pod, _c: unknown, g: { name: string; description: string }) {
    this.check('createGroup', p);
    const id = `bsg-${p.id}-${++this.n}`;
    this.groups.set(id, { pod: p.id, id, ...g });
    // A real Neutron gives every new group its egress rules.
    for (const ethertype of ['IPv4', 'IPv6'] as const)
      await this.createRule(p, undefined, id, {
        direction: 'egress',
        ethertype,
        protocol: null,
        portRangeMin: null,
        portRangeMax: null,
        remoteIpPrefix: null,
        remoteGroupId: null,
      });
    return { id, ...g };
  }
  async findGroupsByName(p: Pod, _c: unknown, name: string) {
    return [...this.groups.values()].filter((g) => g.pod === p.id && g.name === name);
  }
  async updateGroup(p: Pod, _c: unknown, id: string, patch: { description?: string }) {
    this.check('updateGroup', p);
    Object.assign(this.groups.get(id)!, patch);
  }
  async deleteGroup(p: Pod, _c: unknown, id: string) {
    this.check('deleteGroup', p);
    if (!this.groups.delete(id)) throw new ApiError(404, 'gone', 'SecurityGroupNotFound');
  }
  async listRules(p: Pod, _c: unknown, groupId: string) {
    return [...this.rules.values()].filter((r) => r.pod === p.id && r.securityGroupId === groupId);
  }
  async createRule(p: Pod, _c: unknown, groupId: string, rule: RuleMatch) {
    this.check('createRule', p);
    const id = `br-${++this.n}`;
    const made = { ...rule, id, securityGroupId: groupId, pod: p.id };
    this.rules.set(id, made);
    return made;
  }
  async deleteRule(p: Pod, _c: unknown, id: string) {
    this.check('deleteRule', p);
    if (!this.rules.delete(id)) throw new ApiError(404, 'gone', 'SecurityGroupRuleNotFound');
  }
  lines(podId: string): string[] {
    return [...this.rules.values()]
      .filter((r) => r.pod === podId)
      .map((r) => `${r.direction} ${r.ethertype} ${r.protocol ?? 'any'} ${r.remoteIpPrefix ?? '*'}`)
      .sort();
  }
}

function setup(opts: { rules: SecurityGroupRule[]; cidrs?: Record<string, string[]>; scope?: 'project' | 'pod'; excluded?: string[] }) {
  const bottom = new FakeBottom();
  const routes: Routing[] = [];
  let routeId = 0;
  const options: SecurityGroupSyncOptions = {
    routes: {
      findByTop: async (topId) => routes.filter((r) => r.topId === topId),
      delete: async (id) =>
        void routes.splice(
          routes.findIndex((r) => r.id === id),
          1,
        ),
    },
    pods: { get: async (id) => PODS[id as 'a' | 'b'] },
    groups: { findGroup: async (id) => (id === group.id ? group : undefined), rulesOf: async () => opts.rules },
    subnets: { cidrsOf: async (_p, podId) => (podId ? (opts.cidrs?.[podId] ?? []) : Object.values(opts.cidrs ?? {}).flat()) },
    bottom,
    lock: {
      async getOrCreateBottom(input) {
        const found = routes.find((r) => r.topId === input.topId && r.podId === input.podId);
        if (found?.bottomId) return { bottomId: found.bottomId, created: false };
        const bottomId = await input.create();
        routes.push({ id: ++routeId, topId: input.topId, bottomId, podId: input.podId, projectId: input.projectId, resourceType: input.resourceType, createdAt: 0, updatedAt: 0 });
        return { bottomId, created: true };
      },
    },
    remoteGroupScope: opts.scope,
    excludedCidrs: opts.excluded,
  };
  return { bottom, routes, sync: new SecurityGroupSync(options) };
}

describe('SecurityGroupSync (in-memory pods)', () => {
  const cidrs = { a: ['10.0.1.0/24'], b: ['10.0.2.0/24', '100.0.0.0/24'] };
  const members = topRule('r1', { remoteGroupId: 'sg1' });

  test('project scope: every pod gets every tenant subnet; bridge ranges never count', async () => {
    const { bottom, sync } = setup({ rules: [members], cidrs, excluded: ['100.0.0.0/9'] });
    await sync.prepareBottomSecurityGroup(PODS.a, 'sg1', ctx);
    assert.deepEqual(bottom.lines('a'), ['ingress IPv4 any 10.0.1.0/24', 'ingress IPv4 any 10.0.2.0/24']);
  });

  test('pod scope: only the subnets routed to the pod', async () => {
    const { bottom, sync } = setup({ rules: [members], cidrs, scope: 'pod' });
    await sync.prepareBottomSecurityGroup(PODS.a, 'sg1', ctx);
    await sync.prepareBottomSecurityGroup(PODS.b, 'sg1', ctx);
    assert.deepEqual(bottom.lines('a'), ['ingress IPv4 any 10.0.1.0/24']);
    assert.deepEqual(bottom.lines('b'), ['ingress IPv4 any 10.0.2.0/24']);
  });

  test('an unknown top group is SecurityGroupNotFound', async () => {
    const { sync } = setup({ rules: [] });
    await assert.rejects(sync.prepareBottomSecurityGroup(PODS.a, 'nope', ctx), (e: ApiError) => e.status === 404 && e.type === 'SecurityGroupNotFound');
  });

  test('mirroring a create: a pod saying the rule exists is fine; a quota 409 is a failure and is undone', async () => {
    const egress = [topRule('e4', { direction: 'egress' }), topRule('e6', { direction: 'egress', ethertype: 'IPv6' })];
    const { bottom, sync } = setup({ rules: egress });
    await sync.prepareBottomSecurityGroup(PODS.a, 'sg1', ctx);
    await sync.prepareBottomSecurityGroup(PODS.b, 'sg1', ctx);
    const ssh = topRule('r2', { protocol: 'tcp', portRangeMin: 22, portRangeMax: 22 });

    bottom.fail = (op, p) => (op === 'createRule' && p === 'a' ? new ApiError(409, 'Security group rule already exists. Rule id is x.', 'SecurityGroupRuleExists') : undefined);
    await sync.mirrorRulesCreated(group, [ssh], egress, ctx);
    assert.ok(bottom.lines('b').includes('ingress IPv4 tcp *'));

    const web = topRule('r3', { protocol: 'tcp', portRangeMin: 80, portRangeMax: 80 });
    bottom.fail = (op, p) => (op === 'createRule' && p === 'b' ? new ApiError(409, 'Quota exceeded for resources: security_group_rule.', 'OverQuota') : undefined);
    const before = bottom.lines('a');
    await assert.rejects(sync.mirrorRulesCreated(group, [web], [...egress, ssh], ctx), (e: ApiError) => e.type === 'OverQuota');
    assert.deepEqual(bottom.lines('a'), before, 'the rule made in pod a was removed again');
  });

  test('mirroring a delete: a rule already gone is fine; a refusal puts the rules back', async () => {
    const ssh = topRule('r2', { protocol: 'tcp', portRangeMin: 22, portRangeMax: 22 });
    const { bottom, sync } = setup({ rules: [ssh] });
    await sync.prepareBottomSecurityGroup(PODS.a, 'sg1', ctx);
    await sync.prepareBottomSecurityGroup(PODS.b, 'sg1', ctx);
    bottom.fail = (op, p) => (op === 'deleteRule' && p === 'b' ? new ApiError(503, 'down') : undefined);
    await assert.rejects(sync.mirrorRuleDeleted(group, ssh, [], ctx), (e: ApiError) => e.status === 503);
    assert.deepEqual(bottom.lines('a'), ['ingress IPv4 tcp *'], 'restored in pod a');
    assert.deepEqual(bottom.lines('b'), ['ingress IPv4 tcp *']);
    bottom.fail = (op, p) => (op === 'deleteRule' && p === 'a' ? new ApiError(404, 'gone') : undefined);
    await sync.mirrorRuleDeleted(group, ssh, [], ctx);
    assert.deepEqual(bottom.lines('b'), []);
  });

  test('deleting the copies: a copy already gone is fine, routes are removed', async () => {
    const { bottom, routes, sync } = setup({ rules: [] });
    await sync.prepareBottomSecurityGroup(PODS.a, 'sg1', ctx);
    await sync.prepareBottomSecurityGroup(PODS.b, 'sg1', ctx);
    const inA = [...bottom.groups.values()].find((g) => g.pod === 'a')!;
    bottom.groups.delete(inA.id);
    await sync.deleteBottomGroups('sg1', ctx);
    assert.equal(bottom.groups.size, 0);
    assert.equal(routes.length, 0);
  });
});
