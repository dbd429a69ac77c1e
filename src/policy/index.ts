export { PolicyEnforcer, credentialsOf, type PolicyEnforcerOptions, type PolicySubject } from './enforcer.js';
export { PolicyNotAuthorized, PolicyConfigError } from './errors.js';
export { DEFAULT_RULES, type RuleDefault } from './defaults.js';
export { generateSampleYaml } from './sample.js';
export type { Target } from './evaluate.js';
