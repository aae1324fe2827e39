import { type ValidationError, ValidationPipe } from '@nestjs/common';
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

/**
 * DTO validation: unknown properties are refused (forbidNonWhitelisted), and every offending
 * field is named. Messages come from the DTO decorators and never echo the value sent.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
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
