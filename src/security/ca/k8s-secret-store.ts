/**
 * The self-signed root kept where istiod keeps it in Kubernetes mode: Secret `istio-ca-secret`
 * (type istio.io/ca-root) in istiod's namespace, keys ca-cert.pem and ca-key.pem (read), plus
 * root-cert.pem = the certificate and empty cert-chain.pem / key.pem, as Istio writes it, so an
 * istiod and an istiod-ts can take over each other's root.
 *
 * Several replicas share it: a create that loses the race (409 AlreadyExists) adopts the
 * winner's root; a rotation is a PUT with the resourceVersion last read, and on 409 Conflict the
 * Secret is re-read — if its root changed meanwhile another replica rotated first and its root
 * is adopted, otherwise (only metadata changed) the PUT is retried. Key material is never
 * logged or put in an error message.
 */
import { silentLogger, type Logger } from '../../lib/logger.js';
import { isAlreadyExists, isConflict, isNotFound, kubeJson, type KubeClient } from '../authn/kube-client.js';
import { ROOT_CERT_FILE, ROOT_KEY_FILE, type RootStore, type StoredRoot } from './root-store.js';

export const CA_SECRET_NAME = 'istio-ca-secret';
export const CA_SECRET_TYPE = 'istio.io/ca-root';
/** Keys Istio's BuildSecret always writes; istiod leaves them empty (or the root) for this Secret. */
const CERT_CHAIN_KEY = 'cert-chain.pem';
const PRIVATE_KEY_KEY = 'key.pem';
const ROOT_CERT_KEY = 'root-cert.pem';
const DEFAULT_MAX_CONFLICT_RETRIES = 5;

export interface KubeSecretRootStoreOptions {
  readonly kube: KubeClient;
  /** istiod's namespace (POD_NAMESPACE; istio-system by default). */
  readonly namespace: string;
  readonly name?: string;
  /** PUT attempts after a 409 Conflict whose cause is only a metadata change. Default 5. */
  readonly maxConflictRetries?: number;
  readonly logger?: Logger;
}

interface SecretObject {
  apiVersion?: string;
  kind?: string;
  type?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  data?: Record<string, string>;
  [k: string]: unknown;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function kubeSecretRootStore(opts: KubeSecretRootStoreOptions): RootStore {
  const name = opts.name ?? CA_SECRET_NAME;
  const where = `Secret ${opts.namespace}/${name}`;
  const itemPath = `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/secrets/${encodeURIComponent(name)}`;
  const log = (opts.logger ?? silentLogger).child({ secret: `${opts.namespace}/${name}` });
  /** The Secret as last read or written: the base of the next update (resourceVersion, other keys). */
  let known: SecretObject | undefined;

  async function read(): Promise<SecretObject | undefined> {
    try {
      known = await kubeJson<SecretObject>(opts.kube, 'GET', itemPath);
      return known;
    } catch (err) {
      if (isNotFound(err)) return (known = undefined);
      throw err;
    }
  }

  async function create(root: StoredRoot): Promise<StoredRoot | void> {
    const body: SecretObject = { apiVersion: 'v1', kind: 'Secret', type: CA_SECRET_TYPE, metadata: { name, namespace: opts.namespace }, data: secretData(root) };
    try {
      known = await kubeJson<SecretObject>(opts.kube, 'POST', `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/secrets`, body);
      log.info({ resourceVersion: known.metadata.resourceVersion }, 'self-signed root stored in a new Secret');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const theirs = await read();
      if (!theirs) throw new Error(`${where}: create reported AlreadyExists but the Secret cannot be read back`);
      log.info({ resourceVersion: theirs.metadata.resourceVersion }, 'another replica created the root Secret first; using its root');
      return rootOf(theirs, where);
    }
  }

  async function update(root: StoredRoot, base: SecretObject): Promise<StoredRoot | void> {
    const startedFrom = rootOf(base, where);
    let current = base;
    for (let attempt = 0; ; attempt++) {
      const body: SecretObject = { ...current, data: { ...current.data, ...secretData(root) } };
      try {
        known = await kubeJson<SecretObject>(opts.kube, 'PUT', itemPath, body);
        log.info({ resourceVersion: known.metadata.resourceVersion }, 'self-signed root updated in its Secret');
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= (opts.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES)) throw err;
      }
      const latest = await read();
      if (!latest) return create(root);
      const stored = rootOf(latest, where);
      if (stored.certPem !== startedFrom.certPem || stored.keyPem !== startedFrom.keyPem) {
        log.info({ resourceVersion: latest.metadata.resourceVersion }, 'the root Secret changed during rotation (another replica rotated first); using its root');
        return stored;
      }
      log.debug({ resourceVersion: latest.metadata.resourceVersion }, 'root Secret metadata changed concurrently; retrying the update');
      current = latest;
    }
  }

  return {
    description: where,
    async load() {
      const secret = await read();
      return secret ? rootOf(secret, where) : undefined;
    },
    async save(root) {
      const base = known ?? (await read());
      return base ? update(root, base) : create(root);
    },
  };
}

/** The data Istio's BuildSecret writes for istio-ca-secret (root-cert.pem kept equal to the CA cert). */
function secretData(root: StoredRoot): Record<string, string> {
  return {
    [ROOT_CERT_FILE]: b64(root.certPem),
    [ROOT_KEY_FILE]: b64(root.keyPem),
    [ROOT_CERT_KEY]: b64(root.certPem),
    [CERT_CHAIN_KEY]: '',
    [PRIVATE_KEY_KEY]: '',
  };
}

/** ca-cert.pem and ca-key.pem, decoded; a clear error naming the Secret and key (never the data). */
function rootOf(secret: SecretObject, where: string): StoredRoot {
  const data = typeof secret.data === 'object' && secret.data !== null ? secret.data : {};
  const decode = (key: string): string => {
    const value = data[key];
    if (typeof value !== 'string' || value === '') throw new Error(`${where}: data["${key}"] is missing or empty`);
    const text = Buffer.from(value, 'base64').toString('utf8');
    if (!text.includes('-----BEGIN ')) throw new Error(`${where}: data["${key}"] is not base64-encoded PEM`);
    return text;
  };
  return { certPem: decode(ROOT_CERT_FILE), keyPem: decode(ROOT_KEY_FILE) };
}
