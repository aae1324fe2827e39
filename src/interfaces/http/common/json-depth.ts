/** Deepest nesting of arrays and objects a request body may have: the DTOs need 3, validation recurses. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether the raw JSON text nests deeper than `max`, found by one pass over the bytes (strings
 * skipped) before anything is parsed: a deeply nested body costs the parser and the validation
 * pipe far more than its size suggests.
 */
export function nestsDeeperThan(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
