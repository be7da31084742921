/**
 * Workload certificates for the proxyless mTLS tests, made with openssl the way Istio's CA
 * shapes them: a root (O = trust domain), and leaves whose only SAN is a SPIFFE URI, EKU
 * serverAuth+clientAuth. Each workload gets the three files gRPC's file_watcher certificate
 * provider reads (cert-chain.pem, key.pem, root-cert.pem), as Istio's agent writes them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertFiles {
  readonly certificate_file: string;
  readonly private_key_file: string;
  readonly ca_certificate_file: string;
}

const openssl = (args: readonly string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A self-signed root in `<dir>/<name>/` (root.pem, root.key). Returns that directory. */
export function makeRoot(dir: string, name: string, trustDomain = 'cluster.local'): string {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  openssl(['req', '-x509', ...EC_KEY, '-keyout', 'root.key', '-out', 'root.pem', '-days', '1', '-subj', `/O=${trustDomain}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], at);
  return at;
}

/**
 * A leaf for `spiffeId` signed by the root in `rootDir`, in `<dir>/<name>/`, with `trustRootDir`'s
 * root as the workload's trusted roots (default: its own signer's).
 */
export function makeWorkloadCerts(dir: string, name: string, spiffeId: string, rootDir: string, trustRootDir = rootDir): CertFiles {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'ext.cnf'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=critical,URI:${spiffeId}`,
  ].join('\n'));
  openssl(['req', '-new', ...EC_KEY, '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', '/O=cluster.local'], at);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', join(rootDir, 'root.pem'), '-CAkey', join(rootDir, 'root.key'), '-CAcreateserial',
    '-out', 'cert-chain.pem', '-days', '1', '-extfile', 'ext.cnf'], at);
  openssl(['x509', '-in', join(trustRootDir, 'root.pem'), '-out', 'root-cert.pem'], at);
  return { certificate_file: join(at, 'cert-chain.pem'), private_key_file: join(at, 'key.pem'), ca_certificate_file: join(at, 'root-cert.pem') };
}

/** The bootstrap `certificate_providers` Istio's agent writes: instance `default`, file_watcher plugin. */
export function certificateProviders(files: CertFiles): Record<string, unknown> {
  return { default: { plugin_name: 'file_watcher', config: { ...files, refresh_interval: '900s' } } };
}
