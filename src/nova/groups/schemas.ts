import { Type, byVersion, stringEnum, type Static } from '../../gateway/index.js';

// `POST /os-server-groups`: `policies` (one of them) until 2.63, `policy` and `rules` from 2.64;
// the soft policies from 2.15.

const name = Type.String({ minLength: 1, maxLength: 255, format: 'name' });
const oldPolicies = (values: readonly string[]) => Type.Array(stringEnum(values), { minItems: 1, maxItems: 1, uniqueItems: true });
const HARD = ['affinity', 'anti-affinity'] as const;
const ALL = ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'] as const;

const v21 = Type.Object({ server_group: Type.Object({ name, policies: oldPolicies(HARD) }, { additionalProperties: false }) }, { additionalProperties: false });
const v215 = Type.Object({ server_group: Type.Object({ name, policies: oldPolicies(ALL) }, { additionalProperties: false }) }, { additionalProperties: false });
const v264 = Type.Object(
  {
    server_group: Type.Object(
      {
        name,
        policy: stringEnum(ALL),
        rules: Type.Optional(
          Type.Object(
            { max_server_per_host: Type.Optional(Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 })) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ServerGroupCreate = byVersion({ '2.1': v21, '2.15': v215, '2.64': v264 });
export type ServerGroupCreateBody = Static<typeof v21> | Static<typeof v215> | Static<typeof v264>;
