import { ConfigError } from './config';

/** Shorter bearer tokens are within reach of guessing; generated ones are 43 characters. */
export const MIN_TOKEN_LENGTH = 32;

export interface StartToken {
  value: string;
  /** The DATA_DIR file it was read from, or null when it came from the variable. */
  file: string | null;
  /** A random stand-in nobody knows (only JWTs sign in): nothing to check. */
  jwtOnly?: boolean;
}

/**
 * The two static tokens must each be long enough and must differ: the same value for both would
 * give support staff the main application's write access (the static authenticator tries the
 * API token first).
 */
export function requireUsableTokens(apiToken: StartToken, supportToken: StartToken): void {
  for (const [name, token] of [
    ['API_TOKEN', apiToken],
    ['SUPPORT_TOKEN', supportToken],
  ] as const) {
    if (token.jwtOnly || token.value.length >= MIN_TOKEN_LENGTH) continue;
    const what = token.file ? `the token in ${token.file} must be` : 'must be';
    throw new ConfigError(name, `${what} at least ${MIN_TOKEN_LENGTH} characters, got ${token.value.length}`);
  }
  if (!apiToken.jwtOnly && !supportToken.jwtOnly && apiToken.value === supportToken.value) {
    throw new ConfigError(
      'SUPPORT_TOKEN',
      'must differ from API_TOKEN: the same value would give support staff write access',
    );
  }
}
