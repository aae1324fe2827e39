import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  /** A private CA, trusted by the service through SMTP_EXTRA_CA_FILE. */
  caFile: string;
  ca: string;
  /** Issued by the CA for the name "localhost" only (no IP address in it). */
  trusted: { key: string; cert: string };
  /** Self-signed for "localhost": nobody trusts it. */
  selfSigned: { key: string; cert: string };
}

let cached: TestCertificates | null = null;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Made with the openssl CLI once per test process: no key material lives in the repository. */
export function testCertificates(): TestCertificates {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'mcs-certs-'));
  const ecKey = (name: string) => openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', name], dir);
  ecKey('ca.key');
  openssl(
    ['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '2', '-subj', '/CN=mcs test CA', '-out', 'ca.pem'],
    dir,
  );
  ecKey('server.key');
  openssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      'server.ext',
      '-out',
      'server.pem',
    ],
    dir,
  );
  ecKey('self.key');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'self.key',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-out',
      'self.pem',
    ],
    dir,
  );
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  cached = {
    dir,
    caFile: join(dir, 'ca.pem'),
    ca: read('ca.pem'),
    trusted: { key: read('server.key'), cert: read('server.pem') },
    selfSigned: { key: read('self.key'), cert: read('self.pem') },
  };
  return cached;
}
