/** Credentials for a password authentication against the simulated Keystone. */
export interface SimCredentials {
  user?: string;
  password?: string;
  /** Project to scope to (by name, domain Default); omitted: unscoped. */
  project?: string;
}

/**
 * Issues a token from a Keystone at `keystoneUrl` (base URL, without /v3) with the password method.
 * A helper for tests and the demo; throws when Keystone does not answer 201.
 */
export async function fetchSimToken(keystoneUrl: string, creds: SimCredentials = {}): Promise<{ token: string; body: { token: Record<string, unknown> } }> {
  const auth: Record<string, unknown> = {
    identity: {
      methods: ['password'],
      password: { user: { name: creds.user ?? 'admin', domain: { id: 'default' }, password: creds.password ?? 'password' } },
    },
  };
  if (creds.project !== undefined) auth.scope = { project: { name: creds.project, domain: { id: 'default' } } };
  const res = await fetch(`${keystoneUrl}/v3/auth/tokens?nocatalog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth }),
  });
  if (res.status !== 201) throw new Error(`keystone sim: token request answered ${res.status}: ${await res.text()}`);
  const token = res.headers.get('x-subject-token');
  if (!token) throw new Error('keystone sim: no X-Subject-Token');
  return { token, body: (await res.json()) as { token: Record<string, unknown> } };
}
