import { Type, byVersion, since, stringEnum, type Static } from '../../gateway/index.js';

// `POST /os-keypairs` (nova/api/openstack/compute/schemas/keypairs.py): from 2.92 the name has a
// pattern of its own and a public key is required (keys are no longer generated).

const common = {
  type: since('2.2', stringEnum(['ssh', 'x509'])),
  user_id: since('2.10', Type.String({ minLength: 1, maxLength: 255 })),
};

export const KeypairCreate = Type.Object(
  {
    keypair: byVersion({
      '2.1': Type.Object(
        { name: Type.String({ minLength: 1, maxLength: 255, format: 'name' }), public_key: Type.Optional(Type.String()), ...common },
        { additionalProperties: false },
      ),
      '2.92': Type.Object(
        { name: Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9 @._-]+$' }), public_key: Type.String(), ...common },
        { additionalProperties: false },
      ),
    }),
  },
  { additionalProperties: false },
);
export type KeypairCreateBody = Static<typeof KeypairCreate>;
