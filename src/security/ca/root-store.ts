/**
 * Persistence of the self-signed root (certificate and key). File mode keeps it in a directory;
 * Kubernetes mode keeps it in the `istio-ca-secret` Secret (k8s-secret-store.ts) behind the same
 * interface.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredRoot {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface RootStore {
  /** Names the store in errors and logs, e.g. "directory /var/lib/istiod/ca". */
  readonly description: string;
  load(): Promise<StoredRoot | undefined>;
  /**
   * Persists `root`. A shared store (the istio-ca-secret of several istiod replicas) may find that
   * another writer got there first: it then keeps theirs and returns it, and the caller must use
   * that root instead of its own. Undefined (or void): `root` is what is stored now.
   */
  save(root: StoredRoot): Promise<StoredRoot | void>;
}

/** Keeps the root in memory only: every start makes a new root (tests, throwaway meshes). */
export function memoryRootStore(initial?: StoredRoot): RootStore {
  let stored = initial;
  return {
    description: 'memory',
    load: async () => stored,
    save: async (root) => {
      stored = root;
    },
  };
}

/** The same key names as istio-ca-secret: ca-cert.pem and ca-key.pem. */
export const ROOT_CERT_FILE = 'ca-cert.pem';
export const ROOT_KEY_FILE = 'ca-key.pem';

/** Files in `dir`; the key is written mode 0600, each file atomically (write then rename). */
export function directoryRootStore(dir: string): RootStore {
  return {
    description: `directory ${dir}`,
    async load() {
      const [certPem, keyPem] = await Promise.all([readIfExists(join(dir, ROOT_CERT_FILE)), readIfExists(join(dir, ROOT_KEY_FILE))]);
      if (certPem === undefined && keyPem === undefined) return undefined;
      if (certPem === undefined || keyPem === undefined) {
        const missing = certPem === undefined ? ROOT_CERT_FILE : ROOT_KEY_FILE;
        throw new Error(`self-signed root store ${dir}: ${missing} is missing while the other file exists`);
      }
      return { certPem, keyPem };
    },
    async save(root) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeAtomically(join(dir, ROOT_KEY_FILE), root.keyPem, 0o600);
      await writeAtomically(join(dir, ROOT_CERT_FILE), root.certPem, 0o644);
    },
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}
