import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StandInCertificates {
  dir: string;
  /** The throw-away CA, trusted by the service through MICROSOFT_EXTRA_CA_FILE. */
  caFile: string;
  ca: string;
  /** Issued by that CA for 127.0.0.1 and localhost. */
  key: string;
  cert: string;
}

let cached: StandInCertificates | null = null;

/**
 * A CA and a server certificate made with the openssl CLI once per test process (node:crypto
 * cannot write X.509 certificates, and neither selfsigned nor node-forge is installed): MSAL
 * refuses authorities that are not https, so the stand-in must speak TLS.
 */
export function standInCertificates(): StandInCertificates {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'mcs-ms-certs-'));
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ecKey = (name: string) => openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', name]);
  ecKey('ca.key');
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=stand-in CA',
    '-out',
    'ca.pem',
  ]);
  ecKey('server.key');
  openssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=127.0.0.1', '-out', 'server.csr']);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  openssl([
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
  ]);
  cached = {
    dir,
    caFile: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
  return cached;
}
