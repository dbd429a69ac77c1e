import { Type, anyType, keyedMap, since, type Static } from '../../gateway/index.js';
import { booleanLike, descriptionString, nameString } from '../parameters.js';

// Request bodies of /flavors (nova/api/openstack/compute/schemas/flavor_manage.py and friends).

const flavorIdPattern = '^(?! )[a-zA-Z0-9. _-]+(?<! )$';

/** `POST /flavors`. */
export const FlavorCreate = Type.Object(
  {
    flavor: Type.Object(
      {
        name: nameString,
        id: Type.Optional(anyType(['string', 'null', 'integer'], { minLength: 1, maxLength: 255, pattern: flavorIdPattern })),
        ram: anyType(['integer', 'string'], { pattern: '^[0-9]+$', minimum: 1 }),
        vcpus: anyType(['integer', 'string'], { pattern: '^[0-9]+$', minimum: 1 }),
        disk: anyType(['integer', 'string'], { pattern: '^[0-9]+$', minimum: 0 }),
        'OS-FLV-EXT-DATA:ephemeral': Type.Optional(anyType(['integer', 'string'], { pattern: '^[0-9]+$', minimum: 0 })),
        swap: Type.Optional(anyType(['integer', 'string'], { pattern: '^[0-9]+$', minimum: 0 })),
        rxtx_factor: Type.Optional(anyType(['number', 'string'], { pattern: '^[0-9]+(\\.[0-9]+)?$', minimum: 0 })),
        'os-flavor-access:is_public': Type.Optional(booleanLike),
        description: since('2.55', descriptionString),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type FlavorCreateBody = Static<typeof FlavorCreate>;

/** `PUT /flavors/{id}` (2.55): only the description changes. */
export const FlavorUpdate = Type.Object({ flavor: Type.Object({ description: descriptionString }, { additionalProperties: false }) }, { additionalProperties: false });
export type FlavorUpdateBody = Static<typeof FlavorUpdate>;

/** `POST /flavors/{id}/os-extra_specs`. */
export const FlavorExtraSpecs = Type.Object(
  { extra_specs: keyedMap('^[a-zA-Z0-9-_:. ]{1,255}$', anyType(['string', 'number', 'boolean'], { maxLength: 255 })) },
  { additionalProperties: false },
);
export type FlavorExtraSpecsBody = Static<typeof FlavorExtraSpecs>;

const tenantAccess = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });
/** `POST /flavors/{id}/action` granting a project access. */
export const AddTenantAccess = Type.Object({ addTenantAccess: tenantAccess }, { additionalProperties: false });
/** `POST /flavors/{id}/action` taking a project's access away. */
export const RemoveTenantAccess = Type.Object({ removeTenantAccess: tenantAccess }, { additionalProperties: false });
