import type { Ajv, ValidateFunction } from 'ajv';
import { badRequest } from '../../common/index.js';
import type { Microversion } from '../microversion.js';
import { schemaAt, versionBreakpoints, type Static, type TSchema } from '../schema.js';
import { createAjv } from './keywords.js';
import { validationMessage } from './messages.js';
import type { ValidationStyle } from './style.js';

/** A compiled body schema: checks a body against the variant of the call's microversion. */
/** The body, typed; a 400 in the service's style when it does not conform. */
export type BodyCheck<T> = (body: unknown, version?: Microversion) => T;

/**
 * Compiles request-body schemas for one service style. Every variant of a schema (one per range of
 * microversions where it is the same) is compiled when `compile` is called, i.e. at route
 * registration; a request only runs the compiled function of its version.
 */
export class BodyValidator {
  private readonly ajv: Ajv;

  constructor(readonly style: ValidationStyle) {
    this.ajv = createAjv();
  }

  compile<T extends TSchema>(schema: T): BodyCheck<Static<T>> {
    const breakpoints = versionBreakpoints(schema);
    const lowest = this.ajv.compile(schemaAt(schema, undefined) as object);
    const variants: { from: Microversion; validate: ValidateFunction }[] = breakpoints.map((from) => ({ from, validate: this.ajv.compile(schemaAt(schema, from) as object) }));
    const style = this.style;
    return (body: unknown, version?: Microversion): Static<T> => {
      let validate = lowest;
      if (variants.length > 0) {
        if (version === undefined) throw new Error('this body schema depends on the microversion: pass the call version');
        for (const v of variants) if (version.ge(v.from)) validate = v.validate;
      }
      if (!validate(body)) throw badRequest(validationMessage(validate.errors ?? [], body, style));
      return body as Static<T>;
    };
  }
}
