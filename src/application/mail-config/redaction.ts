/** Anything shaped like a sealed secret ({ keyId, ciphertext }) is shown as "[encrypted]". */
export const ENCRYPTED_PLACEHOLDER = '[encrypted]';

function isSealed(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).keyId === 'string' &&
    typeof (value as Record<string, unknown>).ciphertext === 'string'
  );
}

/** Redaction used by every audit view (tenant history and cross-tenant audit alike). */
export function redactSecrets(value: unknown): unknown {
  if (isSealed(value)) return ENCRYPTED_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}
