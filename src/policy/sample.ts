import { DEFAULT_RULES, type RuleDefault } from './defaults.js';

/** A policy file listing every default rule, commented out, with its description (for docs and `config`). */
export function generateSampleYaml(defaults: readonly RuleDefault[] = DEFAULT_RULES): string {
  const lines = [
    '# Tricircle policy. Every rule below shows its default; uncomment a line to override it.',
    '# Syntax: oslo.policy check strings (role:, rule:, key:%(target_attr)s, and/or/not, @, !).',
    '',
  ];
  for (const rule of defaults) {
    lines.push(`# ${rule.description}`, `#${JSON.stringify(rule.name)}: ${JSON.stringify(rule.check)}`, '');
  }
  return lines.join('\n');
}
