/** Reading Keystone v3 token bodies (`{"token": {...}}`) into plain typed values. */

export interface CatalogEndpoint {
  id: string;
  /** Region id (falls back to the legacy `region` field). */
  region: string;
  interface: string;
  url: string;
}

export interface CatalogEntry {
  id: string;
  type: string;
  name: string;
  endpoints: CatalogEndpoint[];
}

/** What a validated token says about its holder. */
export interface TokenInfo {
  userId: string;
  userName: string;
  /** The user's domain. */
  domainId: string;
  /** Empty when the token is not scoped to a project. */
  projectId: string;
  projectName: string;
  projectDomainId: string;
  roles: string[];
  expiresAt: Date;
  /** Keystone's issued_at, when present (used to measure the token's lifetime without trusting our clock). */
  issuedAt?: Date;
  catalog: CatalogEntry[];
}

export class MalformedTokenBody extends Error {
  constructor(what: string) {
    super(`Keystone returned a token body without ${what}`);
    this.name = 'MalformedTokenBody';
  }
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function date(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseTokenBody(body: unknown): TokenInfo {
  const token = obj(obj(body)?.token);
  if (!token) throw new MalformedTokenBody('a "token" object');
  const user = obj(token.user);
  if (!user || !str(user.id)) throw new MalformedTokenBody('user.id');
  const expiresAt = date(token.expires_at);
  if (!expiresAt) throw new MalformedTokenBody('a valid expires_at');
  const project = obj(token.project);
  const roles = Array.isArray(token.roles) ? token.roles.map((r) => str(obj(r)?.name)).filter((n) => n !== '') : [];
  const issuedAt = date(token.issued_at);
  return {
    userId: str(user.id),
    userName: str(user.name),
    domainId: str(obj(user.domain)?.id),
    projectId: str(project?.id),
    projectName: str(project?.name),
    projectDomainId: str(obj(project?.domain)?.id),
    roles,
    expiresAt,
    ...(issuedAt ? { issuedAt } : {}),
    catalog: parseCatalog(token.catalog),
  };
}

export function parseCatalog(value: unknown): CatalogEntry[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const entry = obj(item);
    if (!entry || !str(entry.type)) return [];
    const endpoints = Array.isArray(entry.endpoints) ? entry.endpoints : [];
    return [
      {
        id: str(entry.id),
        type: str(entry.type),
        name: str(entry.name),
        endpoints: endpoints.flatMap((e) => {
          const ep = obj(e);
          if (!ep || !str(ep.url)) return [];
          return [{ id: str(ep.id), region: str(ep.region_id) || str(ep.region), interface: str(ep.interface), url: str(ep.url) }];
        }),
      },
    ];
  });
}
