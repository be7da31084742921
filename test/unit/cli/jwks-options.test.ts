/** PILOT_JWT_PUB_KEY_REFRESH_INTERVAL and BLOCKED_CIDRS_IN_JWKS_URIS, as istiod reads them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../../src/cli/parse-args.js';
import type { Options } from '../../../src/config/options.js';
import { UserError } from '../../../src/lib/errors.js';

function discovery(env: Record<string, string>): Options {
  const cmd = parseCommand(['discovery', '--configDir', 'x'], env);
  assert.equal(cmd.name, 'discovery');
  return (cmd as { options: Options }).options;
}

const refused = (env: Record<string, string>, message: RegExp) =>
  assert.throws(() => discovery(env), (e: unknown) => e instanceof UserError && message.test(e.message));

test('defaults: 20m refresh, no operator-blocked ranges (private and loopback reachable, as in Istio)', () => {
  const o = discovery({});
  assert.equal(o.jwtPubKeyRefreshIntervalMs, 20 * 60_000);
  assert.deepEqual(o.blockedCidrsInJwksUris, []);
});

test('the env values are parsed, and bad ones are named', () => {
  const o = discovery({ PILOT_JWT_PUB_KEY_REFRESH_INTERVAL: '90s', BLOCKED_CIDRS_IN_JWKS_URIS: '10.0.0.0/8, 127.0.0.1 ,fd00::/8' });
  assert.equal(o.jwtPubKeyRefreshIntervalMs, 90_000);
  assert.deepEqual(o.blockedCidrsInJwksUris, ['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
  refused({ BLOCKED_CIDRS_IN_JWKS_URIS: '10.0.0.0/33' }, /BLOCKED_CIDRS_IN_JWKS_URIS: "10\.0\.0\.0\/33" is not a CIDR/);
  refused({ BLOCKED_CIDRS_IN_JWKS_URIS: 'metadata.internal' }, /"metadata\.internal" is not a CIDR/);
  refused({ PILOT_JWT_PUB_KEY_REFRESH_INTERVAL: '10ms' }, /PILOT_JWT_PUB_KEY_REFRESH_INTERVAL="10ms": want at least 1s/);
  refused({ PILOT_JWT_PUB_KEY_REFRESH_INTERVAL: 'soon' }, /PILOT_JWT_PUB_KEY_REFRESH_INTERVAL="soon"/);
});
