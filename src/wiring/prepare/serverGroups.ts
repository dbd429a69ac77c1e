/** The top security groups a server asks for, by name or id, as Nova resolves them. */
import type { TopSecurityGroups } from '../../network/index.js';
import { nicErrors } from './errors.js';

/**
 * Ids of the project's groups named (or with the id) in `requested`, in order, without repeats;
 * `default` is the project's default group (made on first use). 400 for an unknown group, 409 for a
 * name several groups share.
 */
export async function resolveServerGroups(groups: Pick<TopSecurityGroups, 'ensureDefaultSecurityGroup' | 'matching'>, projectId: string, requested: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const wanted of requested) {
    let id: string;
    if (wanted === 'default') {
      id = await groups.ensureDefaultSecurityGroup(projectId);
    } else {
      const rows = await groups.matching(projectId, wanted);
      const byId = rows.find((r) => r.id === wanted);
      if (byId) id = byId.id;
      else if (rows.length === 1) id = rows[0].id;
      else if (rows.length === 0) throw nicErrors.securityGroupNotFound(wanted);
      else throw nicErrors.securityGroupAmbiguous(wanted);
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}
