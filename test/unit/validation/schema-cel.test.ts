/** The CEL pieces of the schema engine: RE2 routing and the Go-like URL parser behind isURL/url. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCelEnvironment, useRe2ForMatches } from '../../../src/model/validation/schema/cel-env.js';
import { parseRequestUri } from '../../../src/model/validation/schema/go-url.js';

test('matches() calls are routed to RE2, string literals are left alone', () => {
  assert.equal(useRe2ForMatches('self.matches("a.matches(b)")'), 'self.re2Matches("a.matches(b)")');
  assert.equal(useRe2ForMatches("matches(self, '^x$') && self.rematches(1)"), "re2Matches(self, '^x$') && self.rematches(1)");
});

test('RE2 semantics: inline flags work and backtracking-only syntax is an error', () => {
  const env = createCelEnvironment();
  const run = (expr: string, self: unknown): unknown => (env.parse(useRe2ForMatches(expr)) as (c: object) => unknown)({ self });
  assert.equal(run('self.matches("(?i)^abc$")', 'ABC'), true);
  assert.equal(run('matches(self, "^[0-9]+$")', '12a'), false);
  assert.throws(() => run('self.matches("(?=a)a")', 'a'));
});

test('Kubernetes string and list extensions are available', () => {
  const env = createCelEnvironment();
  const run = (expr: string, self: unknown): unknown => (env.parse(expr) as (c: object) => unknown)({ self });
  assert.equal(run('self.replace("a", "b")', 'aXa'), 'bXb');
  assert.equal(run('self.find("[0-9]+")', 'ab12c'), '12');
  assert.equal(run('self.isSorted()', [1n, 2n, 2n]), true);
  assert.equal(run('isCIDR(self) && !isCIDR("1.2.3.4/33") && isIP("::1")', '10.0.0.0/8'), true);
});

test('parseRequestUri accepts what Go\'s url.ParseRequestURI accepts, roughly', () => {
  assert.deepEqual(parseRequestUri('HTTPS://user@example.com:8443/a%20b?x=1'), {
    scheme: 'https', host: 'example.com:8443', hostname: 'example.com', port: '8443', escapedPath: '/a%20b', rawQuery: 'x=1',
  });
  assert.equal(parseRequestUri('file:///opt/filter.wasm')?.scheme, 'file');
  assert.equal(parseRequestUri('/just/a/path')?.scheme, '');
  assert.equal(parseRequestUri('http://[::1]:80/')?.hostname, '::1');
  for (const bad of ['', 'test', 'example.com/x', 'http://#%blah$#@', 'hTPp\\\blah', 'http://a b/', 'http://x/%zz', 'http://host:port/', ':nope']) {
    assert.equal(parseRequestUri(bad), undefined, bad);
  }
});
