import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaBundleError, createCsr, createPluggedWorkloadCa, createWorkloadCa, type ManagedWorkloadCa } from '../../../src/security/ca/index.js';
import { makeOpensslCa, nodeVerifyChain, opensslVerify, pemOf, testKeys } from '../../helpers/ca-fixtures.js';
import { inspectCert } from '../../helpers/ca-inspect.js';
import { waitFor } from '../../helpers/wait-for.js';

const identity = { namespace: 'default', serviceAccount: 'sa' };
let base = '';
let work = '';
const read = (name: string) => readFileSync(join(work, name), 'utf8');

before(() => {
  base = mkdtempSync(join(tmpdir(), 'ca-plugged-'));
  work = join(base, 'work');
  mkdirSync(work);
  makeOpensslCa(work);
});
after(() => rmSync(base, { recursive: true, force: true }));

function istioBundle(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'ca-cert.pem'), read('ca-cert.pem'));
  writeFileSync(join(dir, 'ca-key.pem'), read('ca-key.pem'));
  writeFileSync(join(dir, 'cert-chain.pem'), read('ca-cert.pem') + read('root-cert.pem'));
  writeFileSync(join(dir, 'root-cert.pem'), read('root-cert.pem'));
  return dir;
}

async function signOnce(ca: ManagedWorkloadCa): Promise<readonly string[]> {
  return ca.sign({ csrPem: createCsr(testKeys.p256()), identity, requestedTtlSeconds: 0 });
}

function assertChainThroughIntermediate(chain: readonly string[]): void {
  assert.equal(chain.length, 3, 'leaf, intermediate, root');
  assert.equal(chain[1], read('ca-cert.pem'));
  assert.equal(chain[2], read('root-cert.pem'));
  nodeVerifyChain(chain);
  const verdict = opensslVerify(chain);
  assert.ok(verdict.ok, verdict.output);
  assert.deepEqual(inspectCert(chain[0]!).sanUris, ['spiffe://cluster.local/ns/default/sa/sa']);
}

test('an Istio-format bundle (ca-cert, ca-key, cert-chain, root-cert) signs through the intermediate', async () => {
  const ca = await createWorkloadCa({ trustDomain: 'cluster.local', caDir: istioBundle('istio'), signingWorkers: 0 });
  try {
    assertChainThroughIntermediate(await signOnce(ca));
    assert.deepEqual(ca.roots(), [read('root-cert.pem')]);
    assert.equal(ca.rootsInfo()[0]!.subject, 'O=Istio, CN=Test Root CA');
  } finally {
    await ca.close();
  }
});

test('a kubernetes.io/tls bundle (tls.crt, tls.key, ca.crt) works the same', async () => {
  const dir = join(base, 'tls');
  mkdirSync(dir);
  writeFileSync(join(dir, 'tls.crt'), read('ca-cert.pem'));
  writeFileSync(join(dir, 'tls.key'), read('ca-key.pem'));
  writeFileSync(join(dir, 'ca.crt'), read('root-cert.pem'));
  const ca = await createPluggedWorkloadCa({ trustDomain: 'cluster.local', caDir: dir, signingWorkers: 0 });
  try {
    assertChainThroughIntermediate(await signOnce(ca));
  } finally {
    await ca.close();
  }
});

test('an incomplete or inconsistent bundle is refused naming the directory, the file and the reason', async () => {
  const expectRefusal = async (mutate: (dir: string) => void, file: string, reason: RegExp, name: string) => {
    const dir = istioBundle(`bad-${name}`);
    mutate(dir);
    await assert.rejects(createPluggedWorkloadCa({ trustDomain: 'cluster.local', caDir: dir, signingWorkers: 0 }), (err: unknown) => {
      assert.ok(err instanceof CaBundleError, `${name}: ${String(err)}`);
      assert.equal(err.dir, dir, name);
      assert.equal(err.file, file, name);
      assert.match(err.reason, reason, name);
      assert.ok(err.message.includes(dir) && err.message.includes(file), name);
      return true;
    });
  };
  await expectRefusal((d) => rmSync(join(d, 'cert-chain.pem')), 'cert-chain.pem', /missing/, 'no-chain');
  await expectRefusal((d) => rmSync(join(d, 'root-cert.pem')), 'root-cert.pem', /missing/, 'no-root');
  await expectRefusal((d) => writeFileSync(join(d, 'ca-key.pem'), pemOf(testKeys.p256b().privateKey)), 'ca-key.pem', /does not match/, 'wrong-key');
  await expectRefusal((d) => writeFileSync(join(d, 'ca-key.pem'), 'not a key'), 'ca-key.pem', /not a readable private key/, 'garbage-key');
  await expectRefusal((d) => writeFileSync(join(d, 'ca-cert.pem'), 'garbage'), 'ca-cert.pem', /no PEM CERTIFICATE/, 'garbage-cert');
  const otherRoot = join(base, 'other-root');
  mkdirSync(otherRoot);
  makeOpensslCa(otherRoot, { rootKey: testKeys.p256b() });
  await expectRefusal((d) => writeFileSync(join(d, 'root-cert.pem'), readFileSync(join(otherRoot, 'root-cert.pem'))), 'cert-chain.pem', /does not chain/, 'foreign-root');
});

test('a new intermediate is hot-swapped in; a bad update is reported and the previous bundle keeps signing', async () => {
  const dir = istioBundle('hot');
  const reloadErrors: Error[] = [];
  const ca = await createPluggedWorkloadCa({
    trustDomain: 'cluster.local',
    caDir: dir,
    signingWorkers: 1,
    reloadDebounceMs: 30,
    onReloadError: (err) => reloadErrors.push(err),
  });
  try {
    assertChainThroughIntermediate(await signOnce(ca));
    const second = join(base, 'second');
    mkdirSync(second);
    writeFileSync(join(second, 'root-key.pem'), read('root-key.pem'));
    writeFileSync(join(second, 'root-cert.pem'), read('root-cert.pem'));
    makeOpensslCa(second, { reuseRoot: true, caKey: testKeys.p256b(), caName: 'Second Intermediate' });
    const newIntermediate = readFileSync(join(second, 'ca-cert.pem'), 'utf8');
    writeFileSync(join(dir, 'ca-key.pem'), readFileSync(join(second, 'ca-key.pem')));
    writeFileSync(join(dir, 'ca-cert.pem'), newIntermediate);
    writeFileSync(join(dir, 'cert-chain.pem'), newIntermediate + read('root-cert.pem'));

    await waitFor('the new intermediate', () => ca.currentSigner().spec.certPem === newIntermediate);
    const chain = await signOnce(ca);
    assert.equal(chain[1], newIntermediate);
    assert.match(new X509Certificate(chain[1]!).subject, /Second Intermediate/);
    nodeVerifyChain(chain);
    assert.ok(opensslVerify(chain).ok);

    writeFileSync(join(dir, 'ca-key.pem'), pemOf(testKeys.rsa1024().privateKey));
    // Earlier half-written states may have been refused too; look for this update's refusal.
    const refusal = await waitFor('the refusal', () => reloadErrors.find((e) => /RSA 1024/.test(e.message)));
    assert.match(refusal!.message, /ca-key\.pem: RSA 1024 key refused/);
    const still = await signOnce(ca);
    assert.equal(still[1], newIntermediate, 'the previous bundle keeps signing');
  } finally {
    await ca.close();
  }
});
