import { SimServiceError } from '../types.js';
import type { IdentityStore, User } from './identity.js';
import type { TokenRecord, TokenScope, TokenStore } from './tokens.js';

type Json = Record<string, unknown>;

const UNAUTHORIZED = 'The request you have made requires authentication.';

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function required(parent: Json | undefined, key: string): Json {
  const v = obj(parent?.[key]);
  if (!v) throw new SimServiceError(400, `Invalid input for field '${key}': '${key}' is a required property`);
  return v;
}

function unauthorized(): SimServiceError {
  return new SimServiceError(401, UNAUTHORIZED);
}

/** Handles the body of POST /v3/auth/tokens: password or token method, then scope. */
export function authenticate(identity: IdentityStore, tokens: TokenStore, body: unknown): TokenRecord {
  const auth = required(obj(body), 'auth');
  const ident = required(auth, 'identity');
  const methods = ident.methods;
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string')) {
    throw new SimServiceError(400, "Invalid input for field 'identity/methods': 'methods' is a required property");
  }
  let user: User;
  let parent: TokenRecord | undefined;
  if (methods.includes('password')) {
    user = passwordUser(identity, required(ident, 'password'));
  } else if (methods.includes('token')) {
    const id = str(required(ident, 'token').id);
    parent = id ? tokens.lookup(id) : undefined;
    if (!parent) throw unauthorized();
    user = identity.users.get(parent.userId)!;
  } else {
    throw new SimServiceError(401, `Attempted to authenticate with an unsupported method.`);
  }
  if (!user.enabled) throw unauthorized();
  const scope = resolveScope(identity, user, auth.scope);
  if (scope.kind === 'project' && identity.effectiveRoles(user.id, { projectId: scope.projectId }).length === 0) throw unauthorized();
  if (scope.kind === 'domain' && identity.effectiveRoles(user.id, { domainId: scope.domainId }).length === 0) throw unauthorized();
  return tokens.issue(user.id, parent ? ['token'] : ['password'], scope, parent);
}

function passwordUser(identity: IdentityStore, password: Json): User {
  const u = required(password, 'user');
  const id = str(u.id);
  let user: User | undefined;
  if (id) {
    user = identity.users.get(id);
  } else {
    const name = str(u.name);
    if (!name) throw new SimServiceError(400, "Invalid input for field 'identity/password/user': 'id' or 'name' is required");
    const domainId = domainOf(identity, obj(u.domain));
    user = domainId ? identity.userByName(name, domainId) : undefined;
  }
  if (!user || str(u.password) !== user.password) throw unauthorized();
  return user;
}

/** A domain reference ({id} or {name}) to a domain id; undefined when it names nothing. */
function domainOf(identity: IdentityStore, ref: Json | undefined): string | undefined {
  if (!ref) throw new SimServiceError(400, "Invalid input for field 'domain': 'id' or 'name' is required");
  const id = str(ref.id);
  if (id) return identity.domains.has(id) ? id : undefined;
  const name = str(ref.name);
  if (!name) throw new SimServiceError(400, "Invalid input for field 'domain': 'id' or 'name' is required");
  return identity.domainByName(name)?.id;
}

function resolveScope(identity: IdentityStore, user: User, raw: unknown): TokenScope {
  if (raw === undefined || raw === 'unscoped') {
    if (raw === undefined && user.defaultProjectId && identity.projects.has(user.defaultProjectId)) {
      return { kind: 'project', projectId: user.defaultProjectId };
    }
    return { kind: 'unscoped' };
  }
  const scope = obj(raw);
  if (!scope) throw new SimServiceError(400, "Invalid input for field 'scope': not a valid scope");
  const project = obj(scope.project);
  if (project) {
    const id = str(project.id);
    if (id) {
      if (!identity.projects.get(id)?.enabled) throw unauthorized();
      return { kind: 'project', projectId: id };
    }
    const name = str(project.name);
    if (!name) throw new SimServiceError(400, "Invalid input for field 'scope/project': 'id' or 'name' is required");
    const domainId = domainOf(identity, obj(project.domain));
    const p = domainId ? identity.projectByName(name, domainId) : undefined;
    if (!p?.enabled) throw unauthorized();
    return { kind: 'project', projectId: p.id };
  }
  const domain = obj(scope.domain);
  if (domain) {
    const domainId = domainOf(identity, domain);
    if (!domainId) throw unauthorized();
    return { kind: 'domain', domainId };
  }
  if (scope.system !== undefined) throw new SimServiceError(401, 'System scope is not supported by this Keystone.');
  throw new SimServiceError(400, "Invalid input for field 'scope': not a valid scope");
}
