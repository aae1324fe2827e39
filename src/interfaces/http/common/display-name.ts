import { ValidateBy, type ValidationOptions } from 'class-validator';
import { DISPLAY_NAME_MAX, displayNameProblem } from '../../../domain/mail-config/mail-config.types';

/** The domain's display-name rule as a DTO check; the message names `field` and never echoes the value. */
export const IsDisplayName = (field: string, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isDisplayName',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && displayNameProblem(field, value) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? displayNameProblem(field, args.value)!
            : `${field} must be a string of 1-${DISPLAY_NAME_MAX} characters`,
      },
    },
    options,
  );

export const DISPLAY_NAME_DOC =
  `1-${DISPLAY_NAME_MAX} characters without control characters (CR, LF, …); ` +
  'quotes and non-ASCII are fine (the From is MIME-encoded)';
