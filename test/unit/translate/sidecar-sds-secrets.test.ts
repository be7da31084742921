/**
 * Sidecar SDS for credentialName secrets, below the e2e test: what the generator serves (own
 * namespace only, never kubernetes-gateway://), its cache scope, which secret changes reach a
 * sidecar (SDS only), and that the stream authorizer decides secret access for sidecars too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createXdsAuthorizer } from '../../../src/bootstrap/xds-authorizer.js';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { ok } from '../../../src/lib/result.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import type { CallerAuthenticator } from '../../../src/security/authn/index.js';
import type { SecretAccess } from '../../../src/serve/sds-access.js';
import { configMapChangeSet, secretChangeSet } from '../../../src/translate/gateway/sds-changes.js';
import type { CredentialIndex } from '../../../src/translate/gateway/sds-credentials.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function index(version: number): CredentialIndex {
  return {
    version,
    certificate: (ns, name) => (ns === 'app' && name === 'cred' ? { ok: true, value: { certificateChain: bytes('CHAIN'), privateKey: bytes('KEY') } } : { ok: false, reason: `Secret ${ns}/${name} not found` }),
    caCertificate: (ns, name) => (ns === 'app' && name === 'cred' ? { ok: true, value: { trustedCa: bytes('CA') } } : { ok: false, reason: `Secret ${ns}/${name}-cacert not found` }),
  };
}

function sidecar(namespace: string, metadata: Record<string, unknown> = {}): Proxy {
  const parsed = parseProxy({ id: `sidecar~10.0.0.1~a.${namespace}~${namespace}.svc.cluster.local`, metadata: { NAMESPACE: namespace, ...metadata } });
  assert.ok(parsed.ok);
  return parsed.value;
}

test('serves kubernetes:// secrets of the proxy\'s namespace only, inline; never kubernetes-gateway://', () => {
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig(), credentials: () => index(1) });
  const snapshot = buildSnapshot([], undefined);
  const asked = ['kubernetes://cred', 'kubernetes://cred-cacert', 'kubernetes://other/cred', 'kubernetes-gateway://app/cred', 'kubernetes://missing', 'not-a-scheme'];
  const out = gen.generate(snapshot, sidecar('app'), TypeUrl.Secret, asked);
  assert.deepEqual(out.resources.map((r) => r.name), ['kubernetes://cred', 'kubernetes://cred-cacert']);
  const [cert, ca] = out.resources.map((r) => r.body as Record<string, any>);
  assert.equal(Buffer.from(cert!.tls_certificate.private_key.inline_bytes, 'base64').toString(), 'KEY');
  assert.equal(Buffer.from(ca!.validation_context.trusted_ca.inline_bytes, 'base64').toString(), 'CA');
  const messages = out.diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, /kubernetes:\/\/other\/cred is outside the proxy's namespace app/);
  assert.match(messages, /kubernetes-gateway:\/\/ secrets are served only to gateways/);
  assert.match(messages, /Secret app\/missing not found/);
  assert.match(messages, /"not-a-scheme" is not a kubernetes:\/\//);
});

test('SDS scope: per namespace and credentials version, not per labels or IPs', () => {
  let version = 1;
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig(), credentials: () => index(version) });
  const key = (p: Proxy) => gen.scopeKey(p, TypeUrl.Secret, undefined);
  const a = key(sidecar('app', { LABELS: { app: 'a' }, INSTANCE_IPS: '10.0.0.1' }));
  assert.equal(key(sidecar('app', { LABELS: { app: 'b' }, INSTANCE_IPS: '10.0.0.2' })), a);
  assert.notEqual(key(sidecar('other')), a, '`kubernetes://<name>` resolves in the proxy\'s namespace');
  version = 2;
  assert.notEqual(key(sidecar('app', { LABELS: { app: 'a' }, INSTANCE_IPS: '10.0.0.1' })), a, 'a secret change moves the key');
});

test('a secret change reaches SDS of the sidecars of its namespace only; ConfigMaps reach SDS', () => {
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig(), credentials: () => index(1) });
  const snapshot = buildSnapshot([], undefined);
  const reached = (p: Proxy, changes: ReturnType<typeof secretChangeSet>) => gen.alsoAffectedBySecrets!(snapshot, changes, p);
  assert.deepEqual([...reached(sidecar('app'), secretChangeSet(1, ['app/cred']))], [TypeUrl.Secret]);
  assert.deepEqual([...reached(sidecar('app'), secretChangeSet(1, ['app/*']))], [TypeUrl.Secret], 'a re-reviewed right to read secrets');
  assert.deepEqual([...reached(sidecar('other'), secretChangeSet(1, ['app/cred']))], []);
  assert.deepEqual([...reached(sidecar('other'), configMapChangeSet(1, ['app/ca']))], [TypeUrl.Secret]);
});

test('the stream authorizer decides secret access for Envoy sidecars too, not for proxyless gRPC', async () => {
  const identity = { namespace: 'app', serviceAccount: 'client' };
  const authenticator: CallerAuthenticator = { authenticate: async () => ok({ identity, method: 'jwt' }) as never };
  const asked: string[] = [];
  const reviewed = (id: typeof identity) => {
    const access: SecretAccess = { ...id, canReadSecrets: true };
    return () => {
      asked.push(`${id.namespace}/${id.serviceAccount}`);
      return access;
    };
  };
  const check = Object.assign(async (id: typeof identity) => reviewed(id), { lazy: reviewed, onChange: () => () => undefined });
  const authorize = createXdsAuthorizer(authenticator, 'cluster.local', check);
  const envoy = await authorize({ authorization: [] }, sidecar('app'));
  assert.ok(envoy.allowed && envoy.secretAccess, 'an Envoy sidecar gets a secret access verdict');
  assert.deepEqual(asked, [], 'a sidecar\'s access is not read (reviewed) at connect');
  assert.equal(envoy.secretAccess().canReadSecrets, true);
  const grpcProxy = await authorize({ authorization: [] }, sidecar('app', { GENERATOR: 'grpc' }));
  assert.ok(grpcProxy.allowed && grpcProxy.secretAccess === undefined, 'proxyless gRPC never asks istiod for secrets');
  assert.deepEqual(asked, ['app/client'], 'read once, for the Envoy sidecar, when its SDS is answered');
});
