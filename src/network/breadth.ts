/**
 * The resources described as data (src/network/simple): segments, segment ranges, address scopes and
 * groups, local IPs, conntrack helpers, NDP proxies, logs, metering, flavors, default security group
 * rules; and the read-mostly resources beside them (IP availability, agents, service providers).
 * Built once by module.ts; `register` adds their routes.
 */
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { segmentRangeSpec } from './segmentRanges/spec.js';
import { syncDefaultRanges } from './segmentRanges/ranges.js';
import { segmentSpec } from './segments/spec.js';
import { simpleResourceRoutes } from './simple/routes.js';
import { SimpleResourceService } from './simple/service.js';

export interface Breadth {
  /** Kit services by URL collection (for the tag API). */
  readonly tagged: Map<string, SimpleResourceService>;
  register(app: FastifyInstance, publicUrl: () => string): void;
}

export function buildBreadth(deps: NetworkDeps): Breadth {
  const kit = (spec: ConstructorParameters<typeof SimpleResourceService>[1]) => new SimpleResourceService(deps, spec);
  const ranges = kit(segmentRangeSpec(deps.settings, () => syncDefaultRanges(deps.db, deps.settings)));
  const segments = kit(segmentSpec(deps.db, deps.settings));
  const all = [ranges, segments];
  const tagged = new Map<string, SimpleResourceService>();
  for (const s of all) if (s.spec.tagType && !s.spec.parent) tagged.set(s.spec.path, s);
  return {
    tagged,
    register(app, publicUrl) {
      for (const s of all) simpleResourceRoutes(app, s, publicUrl);
    },
  };
}
