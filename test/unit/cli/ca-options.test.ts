import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../../src/cli/parse-args.js';
import type { Options } from '../../../src/config/options.js';
import { UserError } from '../../../src/lib/errors.js';

function options(args: string[], env: Record<string, string> = {}): Options {
  const cmd = parseCommand(['discovery', '--configDir', 'x', ...args], env);
  assert.equal(cmd.name, 'discovery');
  return (cmd as { options: Options }).options;
}

function refused(args: string[], env: Record<string, string>, message: RegExp): void {
  assert.throws(() => parseCommand(['discovery', '--configDir', 'x', ...args], env), (e: unknown) => e instanceof UserError && message.test(e.message));
}

test("the CA's defaults are istiod's", () => {
  const o = options([]);
  assert.equal(o.caDir, '/etc/cacerts');
  assert.equal(o.caStateDir, 'var/istiod-ca');
  assert.equal(o.podNamespace, 'istio-system');
  assert.deepEqual(o.istiodHosts, []);
  assert.equal(o.jwtRule, undefined);
  assert.equal(o.selfSignedCaCertTtlSeconds, 3650 * 24 * 3600);
  assert.equal(o.selfSignedRootCertCheckIntervalMs, 3600_000);
  assert.equal(o.selfSignedRootCertGracePeriodPercentile, 20);
  assert.equal(o.defaultWorkloadCertTtlSeconds, 24 * 3600);
  assert.equal(o.maxWorkloadCertTtlSeconds, 90 * 24 * 3600);
});

test('CA flags and env are read', () => {
  const o = options(['--caDir', '/ca', '--caStateDir', '/state', '--istiodHost', 'a.example.com', '--istiodHost', 'b.example.com,a.example.com'], {
    ISTIOD_CUSTOM_HOST: 'c.example.com',
    POD_NAMESPACE: 'mesh-system',
    JWT_RULE: '{"issuer":"x"}',
    CITADEL_SELF_SIGNED_CA_CERT_TTL: '240h',
    CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL: '10m',
    CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE: '50',
    DEFAULT_WORKLOAD_CERT_TTL: '1h',
    MAX_WORKLOAD_CERT_TTL: '48h',
  });
  assert.equal(o.caDir, '/ca');
  assert.equal(o.caStateDir, '/state');
  assert.deepEqual(o.istiodHosts, ['a.example.com', 'b.example.com', 'c.example.com']);
  assert.equal(o.podNamespace, 'mesh-system');
  assert.equal(o.jwtRule, '{"issuer":"x"}', 'passed through; bootstrap checks its shape');
  assert.equal(o.selfSignedCaCertTtlSeconds, 240 * 3600);
  assert.equal(o.selfSignedRootCertCheckIntervalMs, 600_000);
  assert.equal(o.selfSignedRootCertGracePeriodPercentile, 50);
  assert.equal(o.defaultWorkloadCertTtlSeconds, 3600);
  assert.equal(o.maxWorkloadCertTtlSeconds, 48 * 3600);
});

test('an empty --secureGRPCAddr disables the secure port', () => {
  assert.equal(options(['--secureGRPCAddr', '']).secureGRPCAddr, '');
});

test('bad CA settings are usage errors naming the setting', () => {
  refused([], { CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE: '100' }, /CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE="100"/);
  refused([], { DEFAULT_WORKLOAD_CERT_TTL: '100h', MAX_WORKLOAD_CERT_TTL: '10h' }, /DEFAULT_WORKLOAD_CERT_TTL: 360000s is above MAX_WORKLOAD_CERT_TTL/);
  refused([], { MAX_WORKLOAD_CERT_TTL: '90d' }, /MAX_WORKLOAD_CERT_TTL="90d"/);
  refused([], { DEFAULT_WORKLOAD_CERT_TTL: '500ms' }, /DEFAULT_WORKLOAD_CERT_TTL="500ms": want a duration of at least 1s/);
  refused([], { POD_NAMESPACE: 'a.b' }, /POD_NAMESPACE="a.b"/);
  refused(['--istiodHost', 'not a host'], {}, /--istiodHost "not a host"/);
});
