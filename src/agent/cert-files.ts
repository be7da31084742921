/**
 * Writes the workload's files where gRPC's file_watcher certificate provider reads them. Each
 * file is written to a temporary name in the same directory and renamed into place, so a reader
 * never sees a half-written file; all three are staged before the first rename so the swap of
 * key and chain is as close to simultaneous as the filesystem allows. The key is mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CERT_FILES } from './options.js';

export interface CertFileContents {
  /** Leaf first, then any intermediates (the root is in rootPem). */
  readonly certChainPem: string;
  readonly keyPem: string;
  readonly rootPem: string;
}

export interface CertFilePaths {
  readonly certChain: string;
  readonly key: string;
  readonly root: string;
}

export function certFilePaths(dir: string): CertFilePaths {
  return { certChain: join(dir, CERT_FILES.certChain), key: join(dir, CERT_FILES.key), root: join(dir, CERT_FILES.root) };
}

async function stage(path: string, text: string, mode: number): Promise<string> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temp, mode); // the umask may have narrowed it; never widened, but state it exactly
  return temp;
}

/** Atomically replaces cert-chain.pem, key.pem (0600) and root-cert.pem in `dir`. */
export async function writeCertFiles(dir: string, contents: CertFileContents): Promise<CertFilePaths> {
  await mkdir(dir, { recursive: true });
  const paths = certFilePaths(dir);
  const plan: Array<[string, string, number]> = [
    [paths.key, contents.keyPem, 0o600],
    [paths.certChain, contents.certChainPem, 0o644],
    [paths.root, contents.rootPem, 0o644],
  ];
  const staged: Array<[string, string]> = [];
  try {
    for (const [path, text, mode] of plan) staged.push([await stage(path, text, mode), path]);
    for (const [temp, path] of staged) await rename(temp, path);
  } catch (err) {
    await Promise.all(staged.map(([temp]) => rm(temp, { force: true })));
    throw err;
  }
  return paths;
}

/** Atomically replaces one file (the xDS bootstrap), mode 0644. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temp = await stage(path, text, 0o644);
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
