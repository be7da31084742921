import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpServer } from '../../../src/debug/http-server.js';
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
