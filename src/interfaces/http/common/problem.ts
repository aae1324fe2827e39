/** RFC 9457 problem details, the only shape of every error this service answers with. */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown by anything in the interface layer that already knows the problem to answer with. */
export class ProblemException extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
    this.name = 'ProblemException';
  }
}

const TYPE_BASE = 'https://smemetrics-email.com/problems/';

export function problem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra: Partial<Problem> = {},
): Problem {
  return { type: `${TYPE_BASE}${slug}`, title, status, detail, ...extra };
}

export function validationProblem(errors: FieldError[]): ProblemException {
  const fields = [...new Set(errors.map((e) => e.field))].join(', ');
  return new ProblemException(
    problem(400, 'validation', 'Invalid request', `Some fields are invalid: ${fields}`, { errors }),
  );
}
