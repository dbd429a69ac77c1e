import { existsSync, readFileSync } from 'node:fs';
import { parse as parseIni } from 'ini';
import { SCHEMA, type Config, type OptionDef, type Section } from './schema.js';

export const DEFAULT_CONFIG_FILE = '/etc/tricircle/tricircle.conf';
const ENV_PREFIX = 'TRICIRCLE_';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: Config;
  /** Where each option's value came from: 'default', a file path, or an environment variable name. */
  sources: Record<string, string>;
  warnings: string[];
  files: string[];
}

export function envName(section: string, option: string): string {
  return `${ENV_PREFIX}${section.toUpperCase()}__${option.toUpperCase()}`;
}

/**
 * Loads options from defaults, then the INI file (explicit path, or the default path if it exists),
 * then TRICIRCLE_<SECTION>__<OPTION> environment variables. Every value is typed and validated; a bad
 * one raises ConfigError naming the option and where the value came from.
 */
export function loadConfig(opts: { configFile?: string; env?: NodeJS.ProcessEnv; overrides?: Partial<Record<Section, Record<string, unknown>>> } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const warnings: string[] = [];
  const sources: Record<string, string> = {};
  const raw: Record<string, Record<string, { value: unknown; source: string }>> = {};
  const files: string[] = [];

  const file = opts.configFile ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    files.push(file);
    const parsed = parseIni(text) as Record<string, unknown>;
    for (const [key, value] of Object.entries(parsed)) {
      if (value !== null && typeof value === 'object') {
        readSection(key, value as Record<string, unknown>, file);
      } else {
        readSection('DEFAULT', { [key]: value }, file);
      }
    }
  }
  function readSection(section: string, values: Record<string, unknown>, source: string) {
    const defs = (SCHEMA as Record<string, Record<string, OptionDef>>)[section];
    if (!defs) {
      warnings.push(`unknown section [${section}] in ${source} ignored`);
      return;
    }
    for (const [name, value] of Object.entries(values)) {
      if (!defs[name]) {
        warnings.push(`unknown option [${section}] ${name} in ${source} ignored`);
        continue;
      }
      (raw[section] ??= {})[name] = { value, source };
    }
  }

  for (const [section, defs] of Object.entries(SCHEMA)) {
    for (const name of Object.keys(defs)) {
      const variable = envName(section, name);
      if (env[variable] !== undefined) (raw[section] ??= {})[name] = { value: env[variable], source: `environment ${variable}` };
    }
  }
  for (const [section, values] of Object.entries(opts.overrides ?? {})) {
    for (const [name, value] of Object.entries(values ?? {})) (raw[section] ??= {})[name] = { value, source: 'command line' };
  }

  const config = {} as Record<string, Record<string, unknown>>;
  for (const [section, defs] of Object.entries(SCHEMA) as [string, Record<string, OptionDef>][]) {
    config[section] = {};
    for (const [name, def] of Object.entries(defs)) {
      const given = raw[section]?.[name];
      sources[`${section}.${name}`] = given?.source ?? 'default';
      config[section][name] = given === undefined ? structuredClone(def.default) : coerce(def, given.value, `[${section}] ${name}`, given.source);
    }
  }
  return { config: config as Config, sources, warnings, files };
}

function coerce(def: OptionDef, value: unknown, option: string, source: string): unknown {
  const text = typeof value === 'string' ? value.trim() : value;
  const fail = (expected: string): never => {
    throw new ConfigError(`invalid value ${JSON.stringify(value)} for ${option} (from ${source}): expected ${expected}`);
  };
  switch (def.type) {
    case 'string':
      return String(text ?? '');
    case 'int':
    case 'float': {
      const n = typeof text === 'number' ? text : Number(text);
      if (text === '' || !Number.isFinite(n) || (def.type === 'int' && !Number.isInteger(n))) fail(def.type === 'int' ? 'an integer' : 'a number');
      if (def.min !== undefined && n < def.min) fail(`a value >= ${def.min}`);
      if (def.max !== undefined && n > def.max) fail(`a value <= ${def.max}`);
      return n;
    }
    case 'bool': {
      if (typeof text === 'boolean') return text;
      const s = String(text).toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      return fail('true or false');
    }
    case 'list':
      if (Array.isArray(text)) return text.map(String);
      return String(text ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'enum': {
      const s = String(text);
      if (!def.choices.includes(s)) fail(`one of ${def.choices.join(', ')}`);
      return s;
    }
  }
}
