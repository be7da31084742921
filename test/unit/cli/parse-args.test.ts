import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, parseLogLevels } from '../../../src/cli/parse-args.js';
import { UserError } from '../../../src/lib/errors.js';

test('discovery defaults match pilot-discovery', () => {
  const cmd = parseCommand(['discovery', '--configDir', 'x'], {});
  assert.equal(cmd.name, 'discovery');
  if (cmd.name !== 'discovery') return;
  assert.equal(cmd.options.grpcAddr, ':15010');
  assert.equal(cmd.options.secureGRPCAddr, ':15012');
  assert.equal(cmd.options.httpAddr, ':8080');
  assert.equal(cmd.options.monitoringAddr, ':15014');
  assert.equal(cmd.options.httpsAddr, ':15017');
  assert.equal(cmd.options.domain, 'cluster.local');
  assert.equal(cmd.options.clusterID, 'Kubernetes');
  assert.equal(cmd.options.debounceAfterMs, 100);
  assert.equal(cmd.options.debounceMaxMs, 10_000);
});

test('flags and env vars are read', () => {
  const cmd = parseCommand(['discovery', '--configDir=/c', '--httpAddr', '127.0.0.1:0', '--domain', 'corp.local', '--log_output_level', 'default:debug,ads:warn'], {
    PILOT_DEBOUNCE_AFTER: '250ms',
    PILOT_DEBOUNCE_MAX: '1m',
  });
  assert.equal(cmd.name, 'discovery');
  if (cmd.name !== 'discovery') return;
  assert.equal(cmd.options.configDir, '/c');
  assert.equal(cmd.options.httpAddr, '127.0.0.1:0');
  assert.equal(cmd.options.domain, 'corp.local');
  assert.deepEqual(cmd.options.logLevels, { default: 'debug', ads: 'warn' });
  assert.equal(cmd.options.debounceAfterMs, 250);
  assert.equal(cmd.options.debounceMaxMs, 60_000);
});

test('bad flags name the flag and the reason', () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['discovery', '--nope'], {}, /Unknown option '--nope'/],
    [['discovery', '--httpAddr', 'localhost'], {}, /--httpAddr "localhost".*host:port/],
    [['discovery', '--httpAddr', ':99999'], {}, /--httpAddr/],
    [['discovery', '--domain', 'Bad_Domain'], {}, /--domain/],
    [['discovery', '--log_output_level', 'ads:loud'], {}, /log_output_level/],
    [['discovery'], { PILOT_DEBOUNCE_AFTER: 'soon' }, /PILOT_DEBOUNCE_AFTER="soon"/],
    [['discovery'], { PILOT_PUSH_THROTTLE: '0' }, /PILOT_PUSH_THROTTLE="0": want a whole number >= 1/],
    [['discovery'], { PILOT_MAX_REQUESTS_PER_SECOND: '-1' }, /PILOT_MAX_REQUESTS_PER_SECOND="-1"/],
    [['discovery'], { ISTIO_GPRC_MAXRECVMSGSIZE: '4MB' }, /ISTIO_GPRC_MAXRECVMSGSIZE="4MB"/],
    [['discovery'], { ENABLE_TLS_ON_SIDECAR_INGRESS: 'yes' }, /ENABLE_TLS_ON_SIDECAR_INGRESS="yes": want true or false/],
    [['discovery', '--keepaliveMaxServerConnectionAge', 'forever'], {}, /--keepaliveMaxServerConnectionAge "forever"/],
    [['frob'], {}, /unknown command "frob"/],
    [['validate'], {}, /at least one -f/],
    [['validate', '-f', 'x', '-o', 'xml'], {}, /--output "xml"/],
  ];
  for (const [argv, env, message] of cases) {
    assert.throws(() => parseCommand(argv, env), (err: unknown) => err instanceof UserError && message.test(err.message), argv.join(' '));
  }
});

test('xDS serving flags and env vars: pilot-discovery names and defaults', () => {
  const defaults = parseCommand(['discovery'], {});
  assert.ok(defaults.name === 'discovery');
  assert.equal(defaults.options.keepaliveMaxServerConnectionAgeMs, 30 * 60_000);
  assert.equal(defaults.options.pushThrottle, 100);
  assert.equal(defaults.options.enableTlsOnSidecarIngress, false);
  assert.equal(defaults.options.scopeGatewayToNamespace, false);
  assert.equal(defaults.options.grpcMaxRecvMsgSize, 4 * 1024 * 1024);
  const cmd = parseCommand(['discovery', '--keepaliveMaxServerConnectionAge', '5m', '--keepaliveInterval', '10s', '--keepaliveTimeout', '2s'], {
    PILOT_PUSH_THROTTLE: '7',
    PILOT_XDS_SEND_TIMEOUT: '0s',
    PILOT_MAX_REQUESTS_PER_SECOND: '50',
    ENABLE_TLS_ON_SIDECAR_INGRESS: 'true',
    PILOT_SCOPE_GATEWAY_TO_NAMESPACE: 'true',
  });
  assert.ok(cmd.name === 'discovery' && cmd.options.enableTlsOnSidecarIngress && cmd.options.scopeGatewayToNamespace);
  assert.ok(cmd.name === 'discovery');
  assert.equal(cmd.options.keepaliveMaxServerConnectionAgeMs, 300_000);
  assert.equal(cmd.options.keepaliveIntervalMs, 10_000);
  assert.equal(cmd.options.keepaliveTimeoutMs, 2_000);
  assert.equal(cmd.options.pushThrottle, 7);
  assert.equal(cmd.options.xdsSendTimeoutMs, 0);
  assert.equal(cmd.options.maxRequestsPerSecond, 50);
});

test('validate takes -f repeatedly and -o json', () => {
  const cmd = parseCommand(['validate', '-f', 'a.yaml', '-f', 'dir', '-o', 'json'], {});
  assert.deepEqual(cmd, { name: 'validate', files: ['a.yaml', 'dir'], output: 'json', domain: 'cluster.local' });
});

test('log levels: a bare level sets the default scope', () => {
  assert.deepEqual(parseLogLevels('warn'), { default: 'warn' });
  assert.deepEqual(parseLogLevels('warning'), { default: 'warn' });
});
