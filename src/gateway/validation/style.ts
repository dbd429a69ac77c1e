import { JSON_NOTATION, PYTHON_NOTATION, type ValueNotation } from './render.js';

/**
 * How a service words a request-body validation error. Nova and Cinder both write
 * `Invalid input for field/attribute <field>. Value: <value>. <reason>`; they differ in how a value
 * reads (Nova's like JSON, Cinder's like Python's repr) and in a few details.
 */
export interface ValidationStyle {
  name: string;
  /** Values inside reasons and after `Value:` (strings there are bare). */
  notation: ValueNotation;
  /** The field named when the body itself is wrong; without one the message is the reason alone. */
  rootField?: string;
  /** Whether a minimum/maximum reason prints the value as after `Value:` (bare strings) or as a repr. */
  limitValue: 'shown' | 'repr';
  /**
   * Whether unexpected keys of an object that has `patternProperties` but no `properties` are
   * reported as matching none of the patterns (jsonschema's wording) rather than as additional
   * properties.
   */
  patternOnlyExtras: boolean;
}

/** Nova: `Value: {"a":1}`, root errors name the field `body`. */
export const NOVA_STYLE: ValidationStyle = { name: 'compute', notation: JSON_NOTATION, rootField: 'body', limitValue: 'shown', patternOnlyExtras: false };

/** Cinder: `Value: {'a': 1}`, root errors are the reason alone. */
export const CINDER_STYLE: ValidationStyle = { name: 'volume', notation: PYTHON_NOTATION, limitValue: 'repr', patternOnlyExtras: true };
