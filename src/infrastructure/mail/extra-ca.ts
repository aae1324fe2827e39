import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config';

/** The certificates of SMTP_EXTRA_CA_FILE, one PEM block each; a bad file stops start-up. */
export function readExtraCa(file: string | null): string[] {
  if (file === null) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('SMTP_EXTRA_CA_FILE', `cannot be read (${(error as { code?: string }).code ?? 'error'})`);
  }
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certs.length === 0) throw new ConfigError('SMTP_EXTRA_CA_FILE', 'holds no PEM certificate');
  return certs;
}
