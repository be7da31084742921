import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { loopbackServingCert } from '../../helpers/fake-kube-api.js';
import { createKubeTransport } from '../../../src/sources/kubernetes/kube-transport.js';
import { KubeApiError } from '../../../src/sources/kubernetes/transport.js';
import type { ListWatchTransport } from '../../../src/sources/kubernetes/transport.js';

/** A scripted HTTPS API server: the test sets `serve`; connections and requests are counted. */
let server: Server;
let serve: (url: URL, req: IncomingMessage, res: ServerResponse) => void = () => {};
let connections = 0;
const seen: Array<{ path: string; auth: string | undefined }> = [];
let transport: ListWatchTransport;

before(async () => {
  const { certPem, keyPem } = loopbackServingCert();
  server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    seen.push({ path: url.pathname + url.search, auth: req.headers.authorization });
    serve(url, req, res);
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caData: Buffer.from(certPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', token: 'sekret' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  transport = createKubeTransport(kc);
});
after(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

const json = (res: ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

test('list: pages follow continue tokens over one kept-alive TLS connection, with the kubeconfig token', async () => {
  serve = (url, _req, res) => {
    const page = Number(url.searchParams.get('continue') ?? '0');
    assert.equal(url.searchParams.get('limit'), '500');
    const items = [{ metadata: { name: `p${page}`, namespace: 'ns' } }];
    json(res, 200, { kind: 'PodList', items, metadata: { resourceVersion: `rv${page}`, ...(page < 2 ? { continue: String(page + 1) } : {}) } });
  };
  connections = 0;
  seen.length = 0;
  const result = await transport.list('/api/v1/pods');
  assert.deepEqual(result.items.map((o) => o.metadata?.name), ['p0', 'p1', 'p2']);
  assert.equal(result.resourceVersion, 'rv2');
  assert.equal(seen.length, 3);
  assert.ok(seen.every((r) => r.auth === 'Bearer sekret'));
  assert.equal(connections, 1);
});

test('list: a transform is applied to each item as its page arrives; undefined drops the item', async () => {
  serve = (url, _req, res) => {
    const page = Number(url.searchParams.get('continue') ?? '0');
    const items = [{ metadata: { name: `p${page}`, namespace: 'ns', managedFields: [{}] } }];
    json(res, 200, { kind: 'PodList', items, metadata: { resourceVersion: `rv${page}`, ...(page < 2 ? { continue: String(page + 1) } : {}) } });
  };
  const pagesSeenAtTransform: number[] = [];
  const result = await transport.list('/api/v1/pods', undefined, (item) => {
    pagesSeenAtTransform.push(seen.length);
    return item.metadata?.name === 'p1' ? undefined : { metadata: { name: `${String(item.metadata?.name)}-trimmed` } };
  });
  assert.equal(result.transformed, true);
  assert.deepEqual(result.items, [{ metadata: { name: 'p0-trimmed' } }, { metadata: { name: 'p2-trimmed' } }]);
  // Page by page: item n was transformed right after page n arrived, before the next request.
  assert.deepEqual(pagesSeenAtTransform.map((n, i) => n - pagesSeenAtTransform[0]! - i), [0, 0, 0]);
  const plain = await transport.list('/api/v1/pods');
  assert.ok(!plain.transformed);
  assert.equal(plain.items.length, 3);
});

test('list: an error status becomes a KubeApiError with the Status message', async () => {
  serve = (_url, _req, res) => json(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'continue token too old' });
  await assert.rejects(transport.list('/api/v1/pods'), (err: unknown) => err instanceof KubeApiError && err.statusCode === 410 && err.message === 'continue token too old');
  serve = (_url, _req, res) => json(res, 200, { kind: 'PodList', metadata: {} });
  await assert.rejects(transport.list('/api/v1/pods'), /has no items array/);
});

test('watch: the query carries the watch parameters; events arrive over TLS; a clean end is done(null)', async () => {
  serve = (_url, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '11' } } }) + '\n{"type":"BOOK');
    setTimeout(() => res.end('MARK","object":{"metadata":{"resourceVersion":"12"}}}\n'), 20);
  };
  seen.length = 0;
  const events: string[] = [];
  const done = await new Promise<unknown>((resolve) => {
    void transport.watch('/api/v1/pods', { resourceVersion: '10', allowWatchBookmarks: true, timeoutSeconds: 300 }, (type, obj) => events.push(`${type} ${obj.metadata?.resourceVersion}`), resolve);
  });
  assert.equal(done, null);
  assert.deepEqual(events, ['ADDED 11', 'BOOKMARK 12']);
  const query = new URL(seen[0]!.path, 'https://x').searchParams;
  assert.deepEqual([query.get('watch'), query.get('resourceVersion'), query.get('allowWatchBookmarks'), query.get('timeoutSeconds')], ['true', '10', 'true', '300']);
  assert.equal(seen[0]!.auth, 'Bearer sekret');
});
