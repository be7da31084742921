/**
 * Reading gateway credentials out of a Kubernetes Secret as Istio does, and checking them
 * before they are served. Keys: `cert`/`key` (generic, with `crl`) first, then
 * `tls.crt`/`tls.key` (kubernetes.io/tls, with `tls.ocsp-staple` and `ca.crl`); a CA from
 * `cacert` (with `crl`) or `ca.crt` (with `ca.crl`). Any Secret type works (Opaque or
 * kubernetes.io/tls). Checks Istio leaves to Envoy are made here so a bad secret disables only
 * its own server: every certificate must parse, the key must parse and match the leaf.
 * Messages name keys, never values.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KubeSecret } from '../sources/kubernetes/secret-convert.js';
import type { CaMaterial, Lookup, TlsMaterial } from '../translate/gateway/sds-credentials.js';

type Data = ReadonlyMap<string, Buffer>;

const hasValue = (d: Data, ...keys: string[]) => keys.every((k) => (d.get(k)?.length ?? 0) > 0);
const hasKeys = (d: Data, ...keys: string[]) => keys.every((k) => d.has(k));
const fail = <T>(reason: string): Lookup<T> => ({ ok: false, reason });

function foundKeys(d: Data): string {
  const keys = [...d.keys()].sort();
  if (keys.length === 0) return 'none';
  return keys.length <= 3 ? keys.join(', ') : `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more`;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, or why it is not one. */
export function parseCertificates(pem: Buffer, key: string): X509Certificate[] | string {
  const blocks = pem.toString('utf8').match(PEM_CERT) ?? [];
  if (blocks.length === 0) return `key ${JSON.stringify(key)} holds no PEM certificate`;
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      return `key ${JSON.stringify(key)}: certificate ${i + 1} is not a valid X.509 certificate`;
    }
  }
  return certs;
}

function checkKeyPair(data: Data, certKey: string, keyKey: string): string | undefined {
  const certs = parseCertificates(data.get(certKey)!, certKey);
  if (typeof certs === 'string') return certs;
  let key;
  try {
    key = createPrivateKey(data.get(keyKey)!);
  } catch {
    return `key ${JSON.stringify(keyKey)} is not a valid PEM private key`;
  }
  return certs[0]!.checkPrivateKey(key) ? undefined : `the private key in ${JSON.stringify(keyKey)} does not match the certificate in ${JSON.stringify(certKey)}`;
}

function keyPair(data: Data, certKey: string, keyKey: string, extra: { staple?: string; crl: string }): Lookup<TlsMaterial> {
  const problem = checkKeyPair(data, certKey, keyKey);
  if (problem) return fail(problem);
  const staple = extra.staple ? data.get(extra.staple) : undefined;
  const crl = data.get(extra.crl);
  return { ok: true, value: { certificateChain: data.get(certKey)!, privateKey: data.get(keyKey)!, ...(staple?.length ? { ocspStaple: staple } : {}), ...(crl?.length ? { crl } : {}) } };
}

/** The server certificate of a Secret. */
export function extractCertificate(secret: KubeSecret): Lookup<TlsMaterial> {
  const d = secret.data;
  if (hasValue(d, 'cert', 'key')) return keyPair(d, 'cert', 'key', { crl: 'crl' });
  if (hasValue(d, 'tls.crt', 'tls.key')) return keyPair(d, 'tls.crt', 'tls.key', { staple: 'tls.ocsp-staple', crl: 'ca.crl' });
  if (hasKeys(d, 'cert', 'key')) return fail('keys "cert" and "key" are empty');
  if (hasKeys(d, 'tls.crt', 'tls.key')) return fail('keys "tls.crt" and "tls.key" are empty');
  return fail(`no certificate: expected keys (cert and key) or (tls.crt and tls.key); found: ${foundKeys(d)}`);
}

function caFrom(d: Data, caKey: string, crlKey: string): Lookup<CaMaterial> {
  const certs = parseCertificates(d.get(caKey)!, caKey);
  if (typeof certs === 'string') return fail(certs);
  const crl = d.get(crlKey);
  return { ok: true, value: { trustedCa: d.get(caKey)!, ...(crl?.length ? { crl } : {}) } };
}

/** The CA certificates of a Secret. */
export function extractCa(secret: KubeSecret): Lookup<CaMaterial> {
  const d = secret.data;
  if (hasValue(d, 'cacert')) return caFrom(d, 'cacert', 'crl');
  if (hasValue(d, 'ca.crt')) return caFrom(d, 'ca.crt', 'ca.crl');
  if (hasKeys(d, 'cacert')) return fail('key "cacert" is empty');
  if (hasKeys(d, 'ca.crt')) return fail('key "ca.crt" is empty');
  return fail(`no CA certificate: expected key cacert or ca.crt; found: ${foundKeys(d)}`);
}
