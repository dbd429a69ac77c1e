/** A rule known to the code: its name, its default check string and what it guards. */
export interface RuleDefault {
  name: string;
  check: string;
  description: string;
}

const base: RuleDefault[] = [
  { name: 'context_is_admin', check: 'role:admin', description: 'Whether the caller holds administrative rights.' },
  { name: 'admin_api', check: 'rule:context_is_admin', description: 'Default rule for the Tricircle Admin API.' },
  {
    name: 'admin_or_owner',
    check: 'rule:context_is_admin or project_id:%(project_id)s',
    description: 'An administrator, or a member of the project owning the resource.',
  },
];

const adminApi = (resource: string, actions: Record<string, string>): RuleDefault[] =>
  Object.entries(actions).map(([action, what]) => ({
    name: `admin_api:${resource}:${action}`,
    check: 'rule:admin_api',
    description: what,
  }));

/** The rules Tricircle enforces, with their defaults. A policy file may override any of them. */
export const DEFAULT_RULES: readonly RuleDefault[] = [
  ...base,
  ...adminApi('pods', {
    create: 'Register a pod.',
    delete: 'Remove a pod.',
    show: 'Show a pod.',
    list: 'List pods.',
    update: 'Change a pod (disable it, override its endpoints).',
  }),
  ...adminApi('bindings', {
    create: 'Bind a project to a pod.',
    delete: 'Remove a project-to-pod binding.',
    show: 'Show a project-to-pod binding.',
    list: 'List project-to-pod bindings.',
  }),
  ...adminApi('routings', {
    create: 'Create a resource routing entry.',
    delete: 'Delete a resource routing entry.',
    put: 'Update a resource routing entry.',
    show: 'Show a resource routing entry.',
    list: 'List resource routing entries.',
  }),
  ...adminApi('jobs', {
    create: 'Create an asynchronous job.',
    delete: 'Delete an asynchronous job.',
    put: 'Redo an asynchronous job.',
    show: 'Show an asynchronous job.',
    list: 'List asynchronous jobs.',
    schemas: 'List the job types and their resource fields.',
  }),
  ...[
    ['volume_extension:types_manage', 'Create, change and delete volume types.'],
    ['volume_extension:types_extra_specs:create', 'Add extra specs to a volume type.'],
    ['volume_extension:types_extra_specs:update', 'Change extra specs of a volume type.'],
    ['volume_extension:types_extra_specs:delete', 'Remove extra specs from a volume type.'],
    ['volume_extension:volume_type_access', 'List the projects that may use a private volume type.'],
    ['volume_extension:volume_type_access:addProjectAccess', 'Let a project use a private volume type.'],
    ['volume_extension:volume_type_access:removeProjectAccess', 'Stop a project using a private volume type.'],
  ].map(([name, description]) => ({ name, check: 'rule:context_is_admin', description })),
];
