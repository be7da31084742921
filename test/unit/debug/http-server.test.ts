import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reply, startHttpServer } from '../../../src/debug/http-server.js';
import { silentLogger } from '../../../src/lib/logger.js';

test('/ready is 503 until sources sync, then 200; debug routes serve JSON', async (t) => {
  let ready = false;
  const server = await startHttpServer({ host: '127.0.0.1', port: 0 }, {
    ready: () => ready,
    routes: {
      '/debug/configz': () => ({ objects: 3 }),
      '/debug/boom': () => {
        throw new Error('handler bug');
      },
    },
  }, silentLogger);
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  assert.equal((await fetch(`${base}/ready`)).status, 503);
  ready = true;
  assert.equal((await fetch(`${base}/ready`)).status, 200);
  const configz = await fetch(`${base}/debug/configz`);
  assert.equal(configz.headers.get('content-type'), 'application/json');
  assert.deepEqual(await configz.json(), { objects: 3 });
  const missing = await fetch(`${base}/debug/nope`);
  assert.equal(missing.status, 404);
  assert.deepEqual(((await missing.json()) as { endpoints: string[] }).endpoints, ['/ready', '/debug/boom', '/debug/configz']);
  assert.equal((await fetch(`${base}/debug/configz`, { method: 'POST' })).status, 405);
  assert.equal((await fetch(`${base}/debug/boom`)).status, 500, 'a failing handler answers 500');
  assert.equal((await fetch(`${base}/ready`)).status, 200, 'and the server keeps serving');
});

test('handlers may answer asynchronously, with another status, or with text', async (t) => {
  const server = await startHttpServer({ host: '127.0.0.1', port: 0 }, {
    ready: () => true,
    routes: {
      '/metrics': async () => new Reply(200, 'pilot_xds 1\n', 'text/plain; version=0.0.4'),
      '/debug/config_dump': () => new Reply(404, { error: 'proxy "x" is not connected' }),
      '/debug/slow-fail': async () => {
        throw new Error('async handler bug');
      },
    },
  }, silentLogger);
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  const metrics = await fetch(`${base}/metrics`);
  assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4');
  assert.equal(await metrics.text(), 'pilot_xds 1\n');
  const dump = await fetch(`${base}/debug/config_dump`);
  assert.equal(dump.status, 404);
  assert.deepEqual(await dump.json(), { error: 'proxy "x" is not connected' });
  assert.equal((await fetch(`${base}/debug/slow-fail`)).status, 500);
});
