import { type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { type FieldError, validationProblem } from './problem';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^\S+\.\S+ /, `${field} `),
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Names every object inherits: class-validator's whitelist does not see them as unknown. */
// __proto__ is left to the whitelist, which drops it (JSON.parse makes it a plain own key).
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype).filter((n) => n !== '__proto__'));

function inheritedName(value: unknown, parent = ''): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const field = parent ? (Array.isArray(value) ? `${parent}[${key}]` : `${parent}.${key}`) : key;
    if (!Array.isArray(value) && INHERITED.has(key)) return field;
    const inner = inheritedName(child, field);
    if (inner) return inner;
  }
  return null;
}

type Dto = new () => object;

/** Refuses `constructor`, `toString`, `hasOwnProperty`, … in a body like any other unknown property. */
class InheritedNamesRefused extends ValidationPipe {
  /** Query DTOs for which an empty query string validates and transforms into a plain `new Dto()`. */
  private readonly emptyQueryIsNew = new WeakMap<Dto, boolean>();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Most GETs carry no query: validating {} against the same DTO gives the same answer every
    // time, so it is worked out once (the first time, by the full pipe) instead of per request.
    const dto = metadata.metatype as Dto | undefined;
    if (metadata.type === 'query' && dto && value && typeof value === 'object' && Object.keys(value).length === 0) {
      const known = this.emptyQueryIsNew.get(dto);
      if (known) return new dto();
      if (known === undefined) {
        const result = await super.transform(value, metadata);
        this.emptyQueryIsNew.set(dto, result instanceof dto && isDeepStrictEqual(result, new dto()));
        return result;
      }
    }
    if (metadata.type === 'body') {
      const field = inheritedName(value);
      if (field) {
        const name = field.split(/[.[]/).pop()!;
        throw validationProblem([{ field, message: `property ${name} should not exist` }]);
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * DTO validation: unknown properties are refused (forbidNonWhitelisted), and every offending
 * field is named. Messages come from the DTO decorators and never echo the value sent.
 */
export function validationPipe(): ValidationPipe {
  return new InheritedNamesRefused({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    // Min and Max both fail on a value of the wrong type: say it once.
    exceptionFactory: (errors) =>
      validationProblem(
        flatten(errors).filter(
          (e, i, all) => all.findIndex((o) => o.field === e.field && o.message === e.message) === i,
        ),
      ),
  });
}
