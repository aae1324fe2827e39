import type { Response } from 'express';
import { validationProblem } from './problem';

/**
 * The view's entity tag is the stream version: strong, since every change of the configuration
 * appends an event and so changes the version.
 */
export function setETag(res: Response, version: number): void {
  res.setHeader('ETag', `"${version}"`);
}

const TAG = /^(?:W\/)?"(\d{1,15})"$/;

/**
 * The version an If-Match header pins, or undefined when it pins none (absent, or `*`: any
 * current configuration, which the commands require anyway). A weak tag is read like a strong
 * one: clients echo what they got, and a proxy may have weakened it. Several tags cannot name one
 * version to decide on, so they are refused like a malformed header.
 */
export function expectedVersionFrom(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const value = ifMatch.trim();
  if (value === '*') return undefined;
  const m = TAG.exec(value);
  if (!m) {
    throw validationProblem([
      { field: 'If-Match', message: 'If-Match must be one entity tag as given in ETag, e.g. "3"' },
    ]);
  }
  return Number(m[1]);
}
