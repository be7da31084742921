/**
 * Reads and validates a plugged-in CA directory, in Istio's format (ca-cert.pem, ca-key.pem,
 * cert-chain.pem, root-cert.pem) or kubernetes.io/tls format (tls.crt, tls.key, ca.crt). A bundle
 * is used only if the key matches the certificate, the certificate is a CA and the chain
 * verifies to one of the roots.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCaKey } from './algorithms.js';
import { decodeCertificates, encodePem } from './pem.js';
import type { SignerSpec } from './signer.js';
import { CaBundleError } from './types.js';

export const ISTIO_BUNDLE_FILES = { cert: 'ca-cert.pem', key: 'ca-key.pem', chain: 'cert-chain.pem', root: 'root-cert.pem' } as const;
export const TLS_BUNDLE_FILES = { cert: 'tls.crt', key: 'tls.key', root: 'ca.crt' } as const;
const MAX_FILE_BYTES = 1024 * 1024;

export type BundleFormat = 'istio' | 'kubernetes.io/tls';

/** Which format `dir` holds, or undefined when it holds no CA files at all (then: self-signed). */
export async function detectBundleFormat(dir: string): Promise<BundleFormat | undefined> {
  if ((await exists(join(dir, ISTIO_BUNDLE_FILES.key))) || (await exists(join(dir, ISTIO_BUNDLE_FILES.cert)))) return 'istio';
  if ((await exists(join(dir, TLS_BUNDLE_FILES.key))) || (await exists(join(dir, TLS_BUNDLE_FILES.cert)))) return 'kubernetes.io/tls';
  return undefined;
}

/** The raw files of a bundle, read once so a reload can tell whether anything changed. */
export interface BundleFiles {
  readonly format: BundleFormat;
  readonly certText: string;
  readonly keyText: string;
  readonly chainText: string;
  readonly rootText: string;
}

export async function readBundleFiles(dir: string): Promise<BundleFiles> {
  const format = await detectBundleFormat(dir);
  if (!format) throw new CaBundleError(dir, `${ISTIO_BUNDLE_FILES.key} or ${TLS_BUNDLE_FILES.key}`, 'no CA key file found');
  if (format === 'istio') {
    const f = ISTIO_BUNDLE_FILES;
    const [certText, keyText, chainText, rootText] = await Promise.all([f.cert, f.key, f.chain, f.root].map((n) => readBundleFile(dir, n)));
    return { format, certText: certText!, keyText: keyText!, chainText: chainText!, rootText: rootText! };
  }
  const f = TLS_BUNDLE_FILES;
  const [certText, keyText, rootText] = await Promise.all([f.cert, f.key, f.root].map((n) => readBundleFile(dir, n)));
  // tls.crt may carry the signing certificate followed by its intermediates.
  return { format, certText: certText!, keyText: keyText!, chainText: certText!, rootText: rootText! };
}

async function readBundleFile(dir: string, name: string): Promise<string> {
  try {
    const info = await stat(join(dir, name));
    if (info.size > MAX_FILE_BYTES) throw new CaBundleError(dir, name, `file is ${info.size} bytes, above ${MAX_FILE_BYTES}`);
    return await readFile(join(dir, name), 'utf8');
  } catch (err) {
    if (err instanceof CaBundleError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CaBundleError(dir, name, code === 'ENOENT' ? 'file is missing (the bundle is incomplete)' : (err as Error).message);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Validates the files and returns the signer they describe. Throws CaBundleError. */
export function validateBundle(dir: string, files: BundleFiles, now: Date): SignerSpec {
  const names = files.format === 'istio' ? ISTIO_BUNDLE_FILES : { ...TLS_BUNDLE_FILES, chain: TLS_BUNDLE_FILES.cert };
  const fail = (file: string, reason: string): never => {
    throw new CaBundleError(dir, file, reason);
  };
  const key = guard(() => createPrivateKey(files.keyText), (m) => fail(names.key, `not a readable private key: ${m}`));
  guard(() => checkCaKey(key), (m) => fail(names.key, m));
  const certs = guard(() => parseCerts(files.certText), (m) => fail(names.cert, m));
  const signing = certs[0]!;
  if (!signing.ca) fail(names.cert, 'the certificate is not a CA (basicConstraints CA:TRUE missing)');
  if (!sameKey(key, signing.publicKey)) fail(names.key, `the key does not match the certificate in ${names.cert}`);
  checkValidity(signing, now, (r) => fail(names.cert, r));
  const roots = guard(() => parseCerts(files.rootText), (m) => fail(names.root, m));
  for (const r of roots) if (!r.ca) fail(names.root, `${r.subject.replace(/\n/g, ', ')} is not a CA`);
  const chain = guard(() => parseCerts(files.chainText), (m) => fail(names.chain, m));
  const isRoot = (c: X509Certificate) => roots.some((r) => r.raw.equals(c.raw));
  const intermediates = chain.filter((c) => !c.raw.equals(signing.raw) && !isRoot(c));
  const signingRoot = verifyPath([signing, ...intermediates], roots, (r) => fail(names.chain, r));
  const orderedRoots = [signingRoot, ...roots.filter((r) => r !== signingRoot)];
  return {
    certPem: pemOf(signing),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    intermediatePems: intermediates.map(pemOf),
    rootPems: orderedRoots.map(pemOf),
  };
}

function guard<T>(fn: () => T, onError: (message: string) => never): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CaBundleError) throw err;
    return onError((err as Error).message);
  }
}

function parseCerts(text: string): X509Certificate[] {
  const ders = decodeCertificates(text);
  if (ders.length === 0) throw new Error('no PEM CERTIFICATE found');
  return ders.map((der) => new X509Certificate(der));
}

function sameKey(key: KeyObject, publicKey: KeyObject): boolean {
  return createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' }));
}

function checkValidity(cert: X509Certificate, now: Date, fail: (reason: string) => never): void {
  if (Date.parse(cert.validTo) <= now.getTime()) fail(`the certificate expired at ${new Date(cert.validTo).toISOString()}`);
  if (Date.parse(cert.validFrom) > now.getTime()) fail(`the certificate is not valid before ${new Date(cert.validFrom).toISOString()}`);
}

/** Each certificate must be issued and signed by the next; the last by one of the roots (returned). */
function verifyPath(path: readonly X509Certificate[], roots: readonly X509Certificate[], fail: (reason: string) => never): X509Certificate {
  for (let i = 0; i + 1 < path.length; i++) {
    if (!issuedBy(path[i]!, path[i + 1]!)) fail(`${describe(path[i]!)} is not signed by ${describe(path[i + 1]!)} (chain out of order or broken)`);
  }
  const last = path[path.length - 1]!;
  const root = roots.find((r) => issuedBy(last, r));
  if (!root) return fail(`${describe(last)} does not chain to any certificate in the root file`);
  return root;
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

function describe(cert: X509Certificate): string {
  return `"${cert.subject.replace(/\n/g, ', ')}"`;
}

function pemOf(cert: X509Certificate): string {
  return encodePem('CERTIFICATE', cert.raw);
}
