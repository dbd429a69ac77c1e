import { execFile, execFileSync } from 'node:child_process';

/** Path of the real openstack CLI, or undefined (tests then skip with this reason). */
export const openstackCli: string | undefined = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v openstack'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

export const OPENSTACK_MISSING = 'openstack CLI not installed (apt-get install python3-openstackclient): end-to-end test skipped';

export interface OsCredentials {
  authUrl: string;
  username?: string;
  password?: string;
  projectName?: string;
  regionName?: string;
}

/** Runs the real openstack CLI with password credentials; `-f json` output is parsed when asked. */
export function openstack(creds: OsCredentials, args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    OS_AUTH_URL: creds.authUrl,
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: creds.username ?? 'admin',
    OS_PASSWORD: creds.password ?? 'password',
    OS_PROJECT_NAME: creds.projectName ?? creds.username ?? 'admin',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: creds.regionName ?? 'RegionOne',
  };
  return new Promise((resolve) => {
    execFile(openstackCli ?? 'openstack', args, { env, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
