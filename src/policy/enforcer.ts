import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { DEFAULT_RULES, type RuleDefault } from './defaults.js';
import { PolicyConfigError, PolicyNotAuthorized } from './errors.js';
import { evaluate, type Credentials, type Target } from './evaluate.js';
import { parseRule, referencedRules, type Check } from './parser.js';

/** The caller, as far as policy cares. `RequestContext` from identity satisfies it. */
export interface PolicySubject {
  userId: string;
  projectId: string;
  roles: readonly string[];
  isAdmin: boolean;
  userName?: string;
  projectName?: string;
  domainId?: string;
  projectDomainId?: string;
}

export interface PolicyEnforcerOptions {
  /** Rules known to the code; DEFAULT_RULES unless given. */
  defaults?: readonly RuleDefault[];
  /** YAML or JSON mapping of rule name to check string; a path that does not exist is an error. */
  policyFile?: string;
  /** Applied after the file (for embedding and tests). */
  overrides?: Readonly<Record<string, string>>;
}

/** Decides whether a caller may perform an action, with rules parsed once at load. */
export class PolicyEnforcer {
  private rules: ReadonlyMap<string, Check>;

  /** Throws PolicyConfigError naming the file or the rule when the policy cannot be used. */
  constructor(private readonly options: PolicyEnforcerOptions = {}) {
    this.rules = compile(options);
  }

  /** Re-reads the policy file; on error the previous rules stay in force and the error is thrown. */
  reload(): void {
    this.rules = compile(this.options);
  }

  has(rule: string): boolean {
    return this.rules.has(rule);
  }

  /** True when `rule` allows `subject` to act on `target`; an unknown rule denies. */
  enforce(rule: string, target: Target, subject: PolicySubject): boolean {
    const check = this.rules.get(rule);
    if (check === undefined) return false;
    return evaluate(check, { target, credentials: credentialsOf(subject), rules: this.rules });
  }

  /** Like enforce, but throws PolicyNotAuthorized (403) on denial. */
  authorize(rule: string, target: Target, subject: PolicySubject): void {
    if (!this.rules.has(rule)) throw new PolicyNotAuthorized(rule, 'no such policy rule');
    if (!this.enforce(rule, target, subject)) throw new PolicyNotAuthorized(rule);
  }
}

/** The credential names rules may test (oslo.policy's, plus `tenant_id` for older policy files). */
export function credentialsOf(subject: PolicySubject): Credentials {
  return {
    user_id: subject.userId,
    user_name: subject.userName,
    user_domain_id: subject.domainId,
    project_id: subject.projectId,
    tenant_id: subject.projectId,
    project_name: subject.projectName,
    project_domain_id: subject.projectDomainId,
    roles: subject.roles,
    is_admin: subject.isAdmin,
  };
}

function compile(options: PolicyEnforcerOptions): Map<string, Check> {
  const sources = new Map<string, { check: string; origin: string }>();
  for (const rule of options.defaults ?? DEFAULT_RULES) sources.set(rule.name, { check: rule.check, origin: 'default rule' });
  if (options.policyFile) {
    for (const [name, check] of Object.entries(readPolicyFile(options.policyFile))) {
      sources.set(name, { check, origin: `policy file ${options.policyFile}` });
    }
  }
  for (const [name, check] of Object.entries(options.overrides ?? {})) sources.set(name, { check, origin: 'policy override' });

  const rules = new Map<string, Check>();
  for (const [name, { check, origin }] of sources) {
    try {
      rules.set(name, parseRule(check));
    } catch (err) {
      throw new PolicyConfigError(`${origin}: rule '${name}' ("${check}"): ${(err as Error).message}`);
    }
  }
  for (const [name, check] of rules) {
    for (const ref of referencedRules(check)) {
      if (!rules.has(ref)) {
        throw new PolicyConfigError(`${sources.get(name)!.origin}: rule '${name}' refers to undefined rule '${ref}'`);
      }
    }
  }
  const cycle = findCycle(rules);
  if (cycle) throw new PolicyConfigError(`policy rules refer to each other in a loop: ${cycle.join(' -> ')}`);
  return rules;
}

function readPolicyFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    throw new PolicyConfigError(`policy file ${path} ${why}`);
  }
  let docs: unknown[];
  try {
    docs = loadAll(text);
  } catch (err) {
    throw new PolicyConfigError(`policy file ${path} is not valid YAML or JSON: ${(err as Error).message}`);
  }
  if (docs.length > 1) throw new PolicyConfigError(`policy file ${path} holds more than one YAML document`);
  const doc = docs[0];
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PolicyConfigError(`policy file ${path} must map rule names to check strings`);
  }
  const rules: Record<string, string> = {};
  for (const [name, value] of Object.entries(doc)) {
    if (typeof value !== 'string') {
      throw new PolicyConfigError(`policy file ${path}: rule '${name}' must be a check string, not ${JSON.stringify(value)}`);
    }
    rules[name] = value;
  }
  return rules;
}

/** A chain of `rule:` references that comes back to its start, if any. */
function findCycle(rules: ReadonlyMap<string, Check>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const at = path.indexOf(name);
    if (at !== -1) return [...path.slice(at), name];
    if (done.has(name)) return undefined;
    path.push(name);
    for (const ref of referencedRules(rules.get(name)!)) {
      const cycle = visit(ref);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  for (const name of rules.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}
