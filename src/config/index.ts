export { SCHEMA, type Config, type Section } from './schema.js';
export { loadConfig, envName, ConfigError, DEFAULT_CONFIG_FILE, type LoadedConfig } from './load.js';
export { renderEffectiveConfig, renderSampleConfig, maskUrlPassword } from './render.js';
