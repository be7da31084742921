/**
 * Shared fixtures for the CA tests: keys generated once per process (RSA keygen is slow),
 * `openssl verify` as an independent chain check, and a plugged-in CA bundle made with openssl.
 */
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const cache = new Map<string, KeyPair>();

function cached(name: string, make: () => KeyPair): KeyPair {
  let pair = cache.get(name);
  if (!pair) cache.set(name, (pair = make()));
  return pair;
}

export const testKeys = {
  rsa2048: () => cached('rsa2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })),
  rsa1024: () => cached('rsa1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 })),
  p256: () => cached('p256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })),
  p256b: () => cached('p256b', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })),
  p384: () => cached('p384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' })),
  p521: () => cached('p521', () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' })),
  ed25519: () => cached('ed25519', () => generateKeyPairSync('ed25519')),
};

export function pemOf(key: KeyObject): string {
  return key.type === 'private' ? (key.export({ type: 'pkcs8', format: 'pem' }) as string) : (key.export({ type: 'spki', format: 'pem' }) as string);
}

/** Runs `openssl verify -CAfile root [-untrusted intermediates] leaf`; returns its exit status and output. */
export function opensslVerify(chain: readonly string[], extraArgs: readonly string[] = []): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ca-verify-'));
  try {
    const leaf = join(dir, 'leaf.pem');
    const root = join(dir, 'root.pem');
    writeFileSync(leaf, chain[0]!);
    writeFileSync(root, chain[chain.length - 1]!);
    const args = ['verify', ...extraArgs, '-CAfile', root];
    const middle = chain.slice(1, -1);
    if (middle.length > 0) {
      const untrusted = join(dir, 'untrusted.pem');
      writeFileSync(untrusted, middle.join(''));
      args.push('-untrusted', untrusted);
    }
    args.push(leaf);
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Verifies each certificate against the next one with node:crypto; throws naming the broken link. */
export function nodeVerifyChain(chain: readonly string[]): void {
  const certs = chain.map((p) => new X509Certificate(p));
  for (let i = 0; i < certs.length; i++) {
    const issuer = certs[Math.min(i + 1, certs.length - 1)]!;
    if (!certs[i]!.checkIssued(issuer) || !certs[i]!.verify(issuer.publicKey)) throw new Error(`chain link ${i} does not verify`);
  }
}

export function openssl(args: readonly string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/**
 * Makes, in `dir`, a root (root-cert.pem, root-key.pem) and an intermediate signed by it
 * (ca-cert.pem, ca-key.pem), using openssl so our parser meets certificates it did not write.
 */
export function makeOpensslCa(dir: string, opts: { rootKey?: KeyPair; caKey?: KeyPair; caName?: string; reuseRoot?: boolean } = {}): void {
  if (!opts.reuseRoot) {
    writeFileSync(join(dir, 'root-key.pem'), pemOf((opts.rootKey ?? testKeys.p384()).privateKey));
    openssl(
      ['req', '-x509', '-new', '-key', 'root-key.pem', '-subj', '/O=Istio/CN=Test Root CA', '-days', '3650', '-out', 'root-cert.pem',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      dir,
    );
  }
  writeFileSync(join(dir, 'ca-key.pem'), pemOf((opts.caKey ?? testKeys.p256()).privateKey));
  writeFileSync(join(dir, 'ca-ext.cnf'), '[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  openssl(['req', '-new', '-key', 'ca-key.pem', '-subj', `/O=Istio/CN=${opts.caName ?? 'Intermediate CA'}`, '-out', 'ca.csr'], dir);
  openssl(
    ['x509', '-req', '-in', 'ca.csr', '-CA', 'root-cert.pem', '-CAkey', 'root-key.pem', '-set_serial', String(Date.now()), '-days', '730',
      '-extfile', 'ca-ext.cnf', '-extensions', 'v3_ca', '-out', 'ca-cert.pem'],
    dir,
  );
}
