/**
 * The proxyless tests' own tools, without xDS: echo backends on 127.0.0.x answer with their
 * names (a flaky one fails every other call), and the C-core client script reaches them. When an
 * xDS test fails, this file tells whether the harness or the control plane is at fault.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { echoClient, startEchoBackends, tally } from '../../helpers/grpc-echo.js';
import { cCoreAvailable, runCCoreClient } from './c-core.js';

test('echo backends share a port on their own loopback IPs and answer with their names', async (t) => {
  const backends = await startEchoBackends([
    { name: 'a', ip: '127.0.0.2' },
    { name: 'b', ip: '127.0.0.3', flaky: true },
  ]);
  t.after(() => backends.close());
  const a = echoClient(`127.0.0.2:${backends.port}`);
  const b = echoClient(`127.0.0.3:${backends.port}`);
  t.after(() => (a.close(), b.close()));
  assert.deepEqual(tally(await a.callMany(5)), { a: 5 });
  const flaky = [];
  for (let i = 0; i < 6; i++) flaky.push(await b.call());
  assert.deepEqual(tally(flaky), { b: 3, '!UNAVAILABLE': 3 }, 'a flaky backend fails every other call');
  assert.equal(backends.byName('b').received, 6);
});

test('the C-core client script calls an echo backend with hand-encoded messages', async (t) => {
  const why = cCoreAvailable();
  if (why !== true) return t.skip(why);
  const backends = await startEchoBackends([{ name: 'solo', ip: '127.0.0.2' }]);
  t.after(() => backends.close());
  const result = await runCCoreClient(`ipv4:127.0.0.2:${backends.port}`, [
    { name: 'plain', count: 3 },
    { name: 'with-header', count: 2, headers: { 'x-route': 'v2' } },
  ]);
  assert.deepEqual(result, { plain: { solo: 3 }, 'with-header': { solo: 2 } });
});
