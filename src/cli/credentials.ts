import { request } from 'undici';
import type { Config } from '../config/index.js';

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

/** Credentials from OS_* variables, as openstackclient reads them. */
export interface OsEnvironment {
  token?: string;
  authUrl?: string;
  username?: string;
  password?: string;
  projectName?: string;
  projectId?: string;
  userDomainName: string;
  projectDomainName: string;
  regionName?: string;
  endpoint?: string;
}

export function osEnvironment(env: NodeJS.ProcessEnv = process.env): OsEnvironment {
  return {
    token: env.OS_TOKEN || env.OS_AUTH_TOKEN,
    authUrl: env.OS_AUTH_URL,
    username: env.OS_USERNAME,
    password: env.OS_PASSWORD,
    projectName: env.OS_PROJECT_NAME || env.OS_TENANT_NAME,
    projectId: env.OS_PROJECT_ID || env.OS_TENANT_ID,
    userDomainName: env.OS_USER_DOMAIN_NAME || env.OS_USER_DOMAIN_ID || 'Default',
    projectDomainName: env.OS_PROJECT_DOMAIN_NAME || env.OS_PROJECT_DOMAIN_ID || 'Default',
    regionName: env.OS_REGION_NAME,
    endpoint: env.TRICIRCLE_ADMIN_URL,
  };
}

function v3(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

/** Password authentication; returns the token and the catalog. */
export async function passwordAuth(os: OsEnvironment): Promise<{ token: string; catalog: CatalogEntry[] }> {
  if (!os.authUrl || !os.username || !os.password) {
    throw new Error('set OS_AUTH_URL, OS_USERNAME and OS_PASSWORD (or OS_TOKEN) to call the Admin API');
  }
  const scope = os.projectId ? { project: { id: os.projectId } } : { project: { name: os.projectName ?? 'admin', domain: { name: os.projectDomainName } } };
  const res = await request(`${v3(os.authUrl)}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: { identity: { methods: ['password'], password: { user: { name: os.username, domain: { name: os.userDomainName }, password: os.password } } }, scope },
    }),
  });
  const body = (await res.body.json()) as { token?: { catalog?: CatalogEntry[] } };
  const token = res.headers['x-subject-token'];
  if (res.statusCode !== 201 || typeof token !== 'string') throw new Error(`authentication at ${os.authUrl} failed with HTTP ${res.statusCode}`);
  return { token, catalog: body.token?.catalog ?? [] };
}

/**
 * The Admin API URL without its version: TRICIRCLE_ADMIN_URL, else the `tricircle` service in the
 * catalog (public, OS_REGION_NAME), else this machine's configured admin listener. Each may be given
 * with or without `/v1.0` (the catalog entry has it; the CLI adds it to every path).
 */
export function adminUrl(os: OsEnvironment, catalog: CatalogEntry[], config: Config): string {
  if (os.endpoint) return adminApiRoot(os.endpoint);
  for (const entry of catalog) {
    if (entry.type !== 'tricircle' && entry.type !== 'Cascading') continue;
    const ep = entry.endpoints.find((e) => e.interface === 'public' && (!os.regionName || (e.region_id ?? e.region) === os.regionName));
    if (ep) return adminApiRoot(ep.url);
  }
  const l = config.admin_api;
  if (l.public_url) return adminApiRoot(l.public_url);
  const host = l.bind_host === '0.0.0.0' ? '127.0.0.1' : l.bind_host;
  return `http://${host}:${l.bind_port}`;
}

/** `http://h:19999/v1.0/` → `http://h:19999`; a URL without the version is kept (trailing slashes dropped). */
export function adminApiRoot(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/v1\.0$/, '');
}
