import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { parseRule, RuleSyntaxError } from '../../src/policy/parser.js';
import { evaluate, type Credentials, type Target } from '../../src/policy/evaluate.js';
import { DEFAULT_RULES, PolicyConfigError, PolicyEnforcer, PolicyNotAuthorized, generateSampleYaml, type PolicySubject } from '../../src/policy/index.js';

const admin: PolicySubject = { userId: 'u-admin', projectId: 'p-admin', roles: ['admin', 'member'], isAdmin: true };
const demo: PolicySubject = { userId: 'u-demo', projectId: 'p-demo', roles: ['member'], isAdmin: false };

function check(rule: string, credentials: Credentials, target: Target = {}, rules: Record<string, string> = {}): boolean {
  const parsed = new Map(Object.entries(rules).map(([name, text]) => [name, parseRule(text)]));
  return evaluate(parseRule(rule), { target, credentials, rules: parsed });
}

describe('rule parser', () => {
  test('empty and blank strings always pass', () => {
    assert.deepEqual(parseRule(''), { kind: 'always' });
    assert.deepEqual(parseRule('   '), { kind: 'always' });
  });

  test('@ and !', () => {
    assert.deepEqual(parseRule('@'), { kind: 'always' });
    assert.deepEqual(parseRule('!'), { kind: 'never' });
  });

  test('single checks', () => {
    assert.deepEqual(parseRule('role:admin'), { kind: 'role', match: 'admin' });
    assert.deepEqual(parseRule('rule:admin_api'), { kind: 'rule', name: 'admin_api' });
    assert.deepEqual(parseRule('project_id:%(project_id)s'), { kind: 'generic', key: 'project_id', match: '%(project_id)s' });
    assert.deepEqual(parseRule('is_admin:True'), { kind: 'generic', key: 'is_admin', match: 'True' });
    assert.deepEqual(parseRule("'member':%(role.name)s"), {
      kind: 'generic',
      key: "'member'",
      literal: 'member',
      match: '%(role.name)s',
    });
  });

  test('a rule name may contain colons', () => {
    assert.deepEqual(parseRule('rule:admin_api:pods:create'), { kind: 'rule', name: 'admin_api:pods:create' });
  });

  test('and binds tighter than or', () => {
    assert.deepEqual(parseRule('role:a or role:b and role:c'), {
      kind: 'or',
      checks: [
        { kind: 'role', match: 'a' },
        {
          kind: 'and',
          checks: [
            { kind: 'role', match: 'b' },
            { kind: 'role', match: 'c' },
          ],
        },
      ],
    });
  });

  test('not binds tightest and can repeat', () => {
    assert.deepEqual(parseRule('not role:a and role:b'), {
      kind: 'and',
      checks: [
        { kind: 'not', check: { kind: 'role', match: 'a' } },
        { kind: 'role', match: 'b' },
      ],
    });
    assert.deepEqual(parseRule('not not @'), { kind: 'not', check: { kind: 'not', check: { kind: 'always' } } });
  });

  test('parentheses group, glued to words or apart, nested', () => {
    const expected = {
      kind: 'and',
      checks: [
        {
          kind: 'or',
          checks: [
            { kind: 'role', match: 'a' },
            { kind: 'role', match: 'b' },
          ],
        },
        { kind: 'role', match: 'c' },
      ],
    };
    assert.deepEqual(parseRule('(role:a or role:b) and role:c'), expected);
    assert.deepEqual(parseRule('( role:a or role:b ) and role:c'), expected);
    assert.deepEqual(parseRule('((role:a or role:b)) and (role:c)'), expected);
  });

  test('a placeholder followed by a closing parenthesis', () => {
    assert.deepEqual(parseRule('(role:a or project_id:%(project_id)s)'), {
      kind: 'or',
      checks: [
        { kind: 'role', match: 'a' },
        { kind: 'generic', key: 'project_id', match: '%(project_id)s' },
      ],
    });
  });

  test('keywords are case-insensitive', () => {
    assert.equal(parseRule('role:a AND role:b').kind, 'and');
    assert.equal(parseRule('role:a Or role:b').kind, 'or');
    assert.equal(parseRule('NOT role:a').kind, 'not');
  });

  for (const bad of [
    'role:a and',
    'or role:a',
    '(role:a',
    'role:a)',
    'role:a role:b',
    'admin',
    'role:',
    ':admin',
    'not',
    '()',
    'http://example.com/check',
    'project_id:%(project_id',
  ]) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseRule(bad), RuleSyntaxError);
    });
  }
});

describe('rule evaluation', () => {
  const creds: Credentials = {
    user_id: 'u1',
    project_id: 'p1',
    roles: ['Member', 'reader'],
    is_admin: false,
    nested: { level: { value: 'deep' } },
  };

  test('@, ! and empty', () => {
    assert.equal(check('@', creds), true);
    assert.equal(check('!', creds), false);
    assert.equal(check('', creds), true);
  });

  test('roles match case-insensitively', () => {
    assert.equal(check('role:member', creds), true);
    assert.equal(check('role:MEMBER', creds), true);
    assert.equal(check('role:admin', creds), false);
    assert.equal(check('role:admin', { roles: 'admin' }), false, 'roles must be a list');
    assert.equal(check('role:admin', {}), false);
  });

  test('role taken from the target', () => {
    assert.equal(check('role:%(needed)s', creds, { needed: 'reader' }), true);
    assert.equal(check('role:%(needed)s', creds, { needed: 'admin' }), false);
    assert.equal(check('role:%(needed)s', creds, {}), false);
  });

  test('generic check against target attributes', () => {
    assert.equal(check('project_id:%(project_id)s', creds, { project_id: 'p1' }), true);
    assert.equal(check('project_id:%(project_id)s', creds, { project_id: 'p2' }), false);
    assert.equal(check('project_id:%(project_id)s', creds, {}), false, 'missing target attribute denies');
    assert.equal(check('project_id:%(project_id)s', creds, { project_id: null }), false);
    assert.equal(check('user_id:%(owner)s', creds, { owner: 'u1' }), true);
  });

  test('dotted target attributes, flat or nested', () => {
    assert.equal(check('project_id:%(target.project.id)s', creds, { target: { project: { id: 'p1' } } }), true);
    assert.equal(check('project_id:%(target.project.id)s', creds, { 'target.project.id': 'p1' }), true);
    assert.equal(check('project_id:%(target.project.id)s', creds, { target: { project: {} } }), false);
  });

  test('several placeholders in one value', () => {
    assert.equal(check('project_id:%(a)s%(b)s', { project_id: 'p1' }, { a: 'p', b: 1 }), true);
  });

  test('literal values against credentials', () => {
    assert.equal(check('user_id:u1', creds), true);
    assert.equal(check('user_id:u2', creds), false);
    assert.equal(check('unknown_key:x', creds), false);
    assert.equal(check('roles:reader', creds), true, 'list credentials match any element');
    assert.equal(check('nested.level.value:deep', creds), true, 'dotted credential keys walk objects');
    assert.equal(check('nested:deep', creds), false, 'objects never equal a string');
  });

  test('is_admin:True reads the boolean', () => {
    assert.equal(check('is_admin:True', { is_admin: true }), true);
    assert.equal(check('is_admin:true', { is_admin: true }), true);
    assert.equal(check('is_admin:True', { is_admin: false }), false);
    assert.equal(check('is_admin:False', { is_admin: false }), true);
    assert.equal(check('is_admin:True', {}), false);
    assert.equal(check('is_admin:True', { is_admin: 'true' }), false, 'a string is not a boolean');
  });

  test('booleans in the target print like oslo', () => {
    assert.equal(check('flag:%(shared)s', { flag: 'True' }, { shared: true }), true);
  });

  test('quoted constants compare with the target', () => {
    assert.equal(check("'member':%(role.name)s", creds, { role: { name: 'member' } }), true);
    assert.equal(check("'member':%(role.name)s", creds, { role: { name: 'admin' } }), false);
    assert.equal(check('"member":%(kind)s', creds, { kind: 'member' }), true);
    assert.equal(check('42:%(n)s', creds, { n: 42 }), true);
  });

  test('and / or / not', () => {
    assert.equal(check('role:member and user_id:u1', creds), true);
    assert.equal(check('role:member and user_id:u2', creds), false);
    assert.equal(check('role:admin or user_id:u1', creds), true);
    assert.equal(check('role:admin or user_id:u2', creds), false);
    assert.equal(check('not role:admin', creds), true);
    assert.equal(check('not role:member', creds), false);
    assert.equal(check('not (role:admin or role:member)', creds), false);
    assert.equal(check('not role:admin and not role:member', creds), false);
    assert.equal(check('! or @', creds), true);
    assert.equal(check('! and @', creds), false);
    assert.equal(check('role:admin or role:member and not user_id:u1', creds), false);
    assert.equal(check('(role:admin or role:member) and not user_id:u2', creds), true);
  });

  test('rule references', () => {
    const rules = { is_member: 'role:member', owner: 'project_id:%(project_id)s', both: 'rule:is_member and rule:owner' };
    assert.equal(check('rule:both', creds, { project_id: 'p1' }, rules), true);
    assert.equal(check('rule:both', creds, { project_id: 'p2' }, rules), false);
    assert.equal(check('rule:missing', creds, {}, rules), false);
    assert.equal(check('not rule:missing', creds, {}, rules), true);
  });
});

describe('PolicyEnforcer with defaults', () => {
  const enforcer = new PolicyEnforcer();

  test('every default rule exists and parses', () => {
    for (const rule of DEFAULT_RULES) assert.ok(enforcer.has(rule.name), rule.name);
    for (const resource of ['pods', 'bindings', 'routings', 'jobs']) {
      assert.ok(enforcer.has(`admin_api:${resource}:list`));
    }
    assert.ok(enforcer.has('admin_api:pods:update'));
    assert.ok(enforcer.has('admin_api:jobs:schemas'));
    assert.ok(enforcer.has('admin_api:routings:put'));
  });

  test('admin API rules need the admin role', () => {
    assert.equal(enforcer.enforce('admin_api:pods:create', {}, admin), true);
    assert.equal(enforcer.enforce('admin_api:pods:create', {}, demo), false);
    assert.equal(enforcer.enforce('admin_api:jobs:schemas', {}, demo), false);
  });

  test('role match ignores case (unlike the original exact X-Role check)', () => {
    assert.equal(enforcer.enforce('admin_api', {}, { ...demo, roles: ['Admin'] }), true);
  });

  test('isAdmin alone does not grant admin_api (the role decides)', () => {
    assert.equal(enforcer.enforce('admin_api', {}, { ...demo, isAdmin: true }), false);
  });

  test('admin_or_owner', () => {
    assert.equal(enforcer.enforce('admin_or_owner', { project_id: 'p-demo' }, demo), true);
    assert.equal(enforcer.enforce('admin_or_owner', { project_id: 'p-other' }, demo), false);
    assert.equal(enforcer.enforce('admin_or_owner', { project_id: 'p-other' }, admin), true);
    assert.equal(enforcer.enforce('admin_or_owner', {}, demo), false);
  });

  test('authorize throws PolicyNotAuthorized with status 403', () => {
    assert.doesNotThrow(() => enforcer.authorize('admin_api:pods:create', {}, admin));
    assert.throws(
      () => enforcer.authorize('admin_api:pods:create', {}, demo),
      (err: unknown) => {
        assert.ok(err instanceof PolicyNotAuthorized);
        assert.equal(err.status, 403);
        assert.equal(err.rule, 'admin_api:pods:create');
        assert.equal(err.message, "Policy doesn't allow admin_api:pods:create to be performed.");
        return true;
      },
    );
  });

  test('an unknown rule denies, and the error says so', () => {
    assert.equal(enforcer.has('admin_api:pods:frobnicate'), false);
    assert.equal(enforcer.enforce('admin_api:pods:frobnicate', {}, admin), false);
    assert.throws(
      () => enforcer.authorize('admin_api:pods:frobnicate', {}, admin),
      (err: unknown) => err instanceof PolicyNotAuthorized && /no such policy rule/.test(err.message) && err.status === 403,
    );
  });

  test('credentials expose project_id, tenant_id, user_id and domain ids', () => {
    const e = new PolicyEnforcer({
      defaults: [],
      overrides: {
        own_project: 'project_id:%(project_id)s',
        own_tenant: 'tenant_id:%(tenant_id)s',
        self: 'user_id:%(user_id)s',
        domain: 'user_domain_id:default and project_domain_id:pd',
      },
    });
    const subject = { ...demo, domainId: 'default', projectDomainId: 'pd' };
    assert.equal(e.enforce('own_project', { project_id: 'p-demo' }, subject), true);
    assert.equal(e.enforce('own_tenant', { tenant_id: 'p-demo' }, subject), true);
    assert.equal(e.enforce('self', { user_id: 'u-demo' }, subject), true);
    assert.equal(e.enforce('domain', {}, subject), true);
  });
});

describe('PolicyEnforcer with a policy file', () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tricircle-policy-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('YAML overrides one rule and keeps the others', () => {
    const path = write('policy.yaml', '"admin_api:pods:list": "role:admin or role:reader"\n');
    const e = new PolicyEnforcer({ policyFile: path });
    assert.equal(e.enforce('admin_api:pods:list', {}, { ...demo, roles: ['reader'] }), true);
    assert.equal(e.enforce('admin_api:pods:create', {}, { ...demo, roles: ['reader'] }), false);
    assert.equal(e.enforce('admin_api:pods:create', {}, admin), true);
  });

  test('overriding a base rule changes every rule that refers to it', () => {
    const path = write('base.yaml', 'context_is_admin: "role:admin or role:cloud_admin"\n');
    const e = new PolicyEnforcer({ policyFile: path });
    assert.equal(e.enforce('admin_api:routings:delete', {}, { ...demo, roles: ['cloud_admin'] }), true);
  });

  test('JSON files work too, and new rules can be added', () => {
    const path = write('policy.json', JSON.stringify({ readers: 'role:reader', 'admin_api:jobs:list': 'rule:readers' }));
    const e = new PolicyEnforcer({ policyFile: path });
    assert.equal(e.enforce('admin_api:jobs:list', {}, { ...demo, roles: ['READER'] }), true);
    assert.equal(e.has('readers'), true);
  });

  test('"@", "!" and "" in a file', () => {
    const path = write('open.yaml', '"admin_api:pods:list": "@"\n"admin_api:pods:show": ""\n"admin_api:pods:create": "!"\n');
    const e = new PolicyEnforcer({ policyFile: path });
    assert.equal(e.enforce('admin_api:pods:list', {}, demo), true);
    assert.equal(e.enforce('admin_api:pods:show', {}, demo), true);
    assert.equal(e.enforce('admin_api:pods:create', {}, admin), false);
  });

  test('an empty file keeps the defaults', () => {
    const e = new PolicyEnforcer({ policyFile: write('empty.yaml', '# nothing\n') });
    assert.equal(e.enforce('admin_api:pods:list', {}, demo), false);
    assert.equal(e.enforce('admin_api:pods:list', {}, admin), true);
  });

  test('in-code overrides apply after the file', () => {
    const path = write('o.yaml', '"admin_api:pods:list": "@"\n');
    const e = new PolicyEnforcer({ policyFile: path, overrides: { 'admin_api:pods:list': '!' } });
    assert.equal(e.enforce('admin_api:pods:list', {}, admin), false);
  });

  test('a missing file is an error naming the path', () => {
    const path = join(dir, 'nope.yaml');
    assert.throws(
      () => new PolicyEnforcer({ policyFile: path }),
      (err: unknown) => err instanceof PolicyConfigError && err.message.includes(path) && /does not exist/.test(err.message),
    );
  });

  test('a bad rule is an error naming the rule and the file', () => {
    const path = write('bad.yaml', '"admin_api:pods:list": "role:admin or"\n');
    assert.throws(
      () => new PolicyEnforcer({ policyFile: path }),
      (err: unknown) => err instanceof PolicyConfigError && err.message.includes("'admin_api:pods:list'") && err.message.includes(path),
    );
  });

  test('a rule that is not a string is an error', () => {
    const path = write('list.yaml', 'admin_api:\n  - role:admin\n');
    assert.throws(
      () => new PolicyEnforcer({ policyFile: path }),
      (err: unknown) => err instanceof PolicyConfigError && /admin_api/.test(err.message),
    );
  });

  test('a file that is not a mapping is an error', () => {
    const path = write('seq.yaml', '- role:admin\n');
    assert.throws(() => new PolicyEnforcer({ policyFile: path }), PolicyConfigError);
  });

  test('invalid YAML is an error naming the path', () => {
    const path = write('broken.yaml', 'a: "unterminated\n');
    assert.throws(
      () => new PolicyEnforcer({ policyFile: path }),
      (err: unknown) => err instanceof PolicyConfigError && err.message.includes(path),
    );
  });

  test('a reference to an undefined rule is an error at load', () => {
    const path = write('typo.yaml', '"admin_api": "rule:context_is_amdin"\n');
    assert.throws(
      () => new PolicyEnforcer({ policyFile: path }),
      (err: unknown) => err instanceof PolicyConfigError && /'admin_api'/.test(err.message) && /context_is_amdin/.test(err.message),
    );
  });

  test('rules referring to each other in a loop are an error at load', () => {
    assert.throws(
      () => new PolicyEnforcer({ overrides: { a: 'rule:b', b: 'role:x or rule:a' } }),
      (err: unknown) => err instanceof PolicyConfigError && /loop/.test(err.message),
    );
    assert.throws(() => new PolicyEnforcer({ overrides: { self: 'rule:self' } }), PolicyConfigError);
  });

  test('reload picks up changes and keeps the old rules on error', () => {
    const path = write('reload.yaml', '"admin_api:pods:list": "!"\n');
    const e = new PolicyEnforcer({ policyFile: path });
    assert.equal(e.enforce('admin_api:pods:list', {}, admin), false);
    writeFileSync(path, '"admin_api:pods:list": "@"\n');
    e.reload();
    assert.equal(e.enforce('admin_api:pods:list', {}, demo), true);
    writeFileSync(path, '"admin_api:pods:list": "(("\n');
    assert.throws(() => e.reload(), PolicyConfigError);
    assert.equal(e.enforce('admin_api:pods:list', {}, demo), true);
  });
});

describe('generateSampleYaml', () => {
  test('lists every default, commented, and uncommented it loads as the defaults', () => {
    const sample = generateSampleYaml();
    for (const rule of DEFAULT_RULES) {
      assert.ok(sample.includes(`#"${rule.name}": "${rule.check}"`), rule.name);
      assert.ok(sample.includes(`# ${rule.description}`), rule.description);
    }
    assert.deepEqual(loadAll(sample), [], 'everything is commented out');
    const uncommented = sample
      .split('\n')
      .filter((line) => line.startsWith('#"'))
      .map((line) => line.slice(1))
      .join('\n');
    const parsed = load(uncommented) as Record<string, string>;
    assert.deepEqual(parsed, Object.fromEntries(DEFAULT_RULES.map((r) => [r.name, r.check])));
  });
});

describe('policy file edge cases', () => {
  test('a file with several YAML documents is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tricircle-policy-'));
    try {
      const path = join(dir, 'multi.yaml');
      writeFileSync(path, 'a: "@"\n---\nb: "!"\n');
      assert.throws(
        () => new PolicyEnforcer({ policyFile: path }),
        (err: unknown) => err instanceof PolicyConfigError && /more than one/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PolicyNotAuthorized carries the Neutron error type for fault bodies', () => {
    const err = new PolicyNotAuthorized('admin_api:pods:list');
    assert.equal(err.type, 'PolicyNotAuthorized');
    assert.ok(err instanceof Error);
  });
});
