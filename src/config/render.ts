import { SCHEMA, type Config, type OptionDef } from './schema.js';

function show(def: OptionDef, value: unknown): string {
  if (def.type === 'list') return (value as string[]).join(',');
  return String(value);
}

/** Hides the password part of a URL such as postgresql://user:secret@host/db. */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z0-9+]+:\/\/[^:/@]+:)[^@]*@/i, '$1***@');
}

/** The effective configuration as INI text, with secrets masked. */
export function renderEffectiveConfig(config: Config, sources: Record<string, string>): string {
  const lines: string[] = [];
  for (const [section, defs] of Object.entries(SCHEMA) as [string, Record<string, OptionDef>][]) {
    lines.push(`[${section}]`);
    for (const [name, def] of Object.entries(defs)) {
      const value = (config as unknown as Record<string, Record<string, unknown>>)[section][name];
      let text = show(def, value);
      if (def.type === 'string' && def.secret && text) text = text.includes('://') ? maskUrlPassword(text) : '***';
      lines.push(`${name} = ${text}    ; ${sources[`${section}.${name}`]}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** etc/tricircle.conf.sample: every option commented out with its help and default. */
export function renderSampleConfig(): string {
  const lines = [
    '# Tricircle configuration. Every option is shown with its default value.',
    '# Any option can also be set with the environment variable TRICIRCLE_<SECTION>__<OPTION>.',
    '',
  ];
  for (const [section, defs] of Object.entries(SCHEMA) as [string, Record<string, OptionDef>][]) {
    lines.push(`[${section}]`, '');
    for (const [name, def] of Object.entries(defs)) {
      lines.push(`# ${def.help}`);
      const bounds = 'min' in def && (def.min !== undefined || def.max !== undefined) ? ` (${def.min ?? ''}..${def.max ?? ''})` : '';
      const choices = def.type === 'enum' ? ` (one of: ${def.choices.join(', ')})` : '';
      lines.push(`# ${def.type}${bounds}${choices}`);
      lines.push(`#${name} = ${show(def, def.default)}`, '');
    }
  }
  return lines.join('\n');
}
