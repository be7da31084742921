import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAgentArgs } from '../../../src/agent/agent-args.js';
import { AGENT_DEFAULTS } from '../../../src/agent/options.js';
import { parseCommand } from '../../../src/cli/parse-args.js';
import { UserError } from '../../../src/lib/errors.js';

function options(args: string[], env: Record<string, string> = {}) {
  const parsed = parseAgentArgs(args, env);
  assert.ok(!parsed.help);
  return parsed.options;
}

test('defaults are Istio\'s mount points and addresses; ECDSA P-256; renewal over 50-80%', () => {
  const o = options([]);
  assert.equal(o.caAddr, 'istiod.istio-system.svc:15012');
  assert.equal(o.caRootCertFile, '/var/run/secrets/istio/root-cert.pem');
  assert.equal(o.tokenFile, '/var/run/secrets/tokens/istio-token');
  assert.equal(o.outputCertsDir, '/var/lib/istio/data');
  assert.equal(o.grpcXdsBootstrapFile, undefined);
  assert.deepEqual(o.keyType, { algorithm: 'ECDSA', curve: 'P256' });
  assert.equal(o.secretTtlSeconds, 86400);
  assert.ok(Math.abs(o.gracePeriodRatio - o.gracePeriodRatioJitter - 0.2) < 1e-9, 'renew at 80% at the latest');
  assert.ok(Math.abs(o.gracePeriodRatio + o.gracePeriodRatioJitter - 0.5) < 1e-9, 'renew at 50% at the earliest');
  assert.equal(o.initialBackoffMs, AGENT_DEFAULTS.initialBackoffMs);
});

test('env vars are read, and a flag wins over its env var', () => {
  const env = { CA_ADDR: 'ca.example:15012', CA_ROOT_CA: '/r.pem', CA_AUTH_TOKEN: '/t', OUTPUT_CERTS: '/out', GRPC_XDS_BOOTSTRAP: '/b.json', SECRET_TTL: '1h',
    ECC_SIGNATURE_ALGORITHM: 'RSA', WORKLOAD_RSA_KEY_SIZE: '3072', POD_NAMESPACE: 'ns1', SERVICE_ACCOUNT: 'sa1', INSTANCE_IP: '10.0.0.1', POD_NAME: 'p-1',
    ISTIO_META_CLUSTER_ID: 'c2', ISTIO_META_WORKLOAD_NAME: 'w', ISTIO_METAJSON_LABELS: '{"app":"a"}' };
  const o = options(['--caAddr', '10.0.0.9:15012', '--secretTTL', '90s'], env);
  assert.equal(o.caAddr, '10.0.0.9:15012');
  assert.equal(o.secretTtlSeconds, 90);
  assert.equal(o.caRootCertFile, '/r.pem');
  assert.equal(o.tokenFile, '/t');
  assert.equal(o.outputCertsDir, '/out');
  assert.equal(o.grpcXdsBootstrapFile, '/b.json');
  assert.deepEqual(o.keyType, { algorithm: 'RSA', bits: 3072 });
  assert.deepEqual([o.podNamespace, o.serviceAccount, o.instanceIp, o.podName, o.clusterId], ['ns1', 'sa1', '10.0.0.1', 'p-1', 'c2']);
  assert.deepEqual(o.extraMetadata, { CLUSTER_ID: 'c2', WORKLOAD_NAME: 'w', LABELS: { app: 'a' } });
  assert.deepEqual(options([], { ECC_SIGNATURE_ALGORITHM: 'ecdsa', ECC_CURVE: 'P384' }).keyType, { algorithm: 'ECDSA', curve: 'P384' });
});

test('bad values are refused naming the flag or variable and the reason', () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--caAddr', 'no-port'], {}, /--caAddr "no-port": want host:port/],
    [['--caAddr', 'h:70000'], {}, /--caAddr/],
    [[], { CA_ADDR: 'h:0' }, /CA_ADDR "h:0"/],
    [[], { SECRET_TTL: 'soon' }, /SECRET_TTL "soon": want a positive duration/],
    [['--secretTTL', '91d'], {}, /--secretTTL/],
    [['--secretTTL', '2200h'], {}, /above 90 days/],
    [[], { SECRET_GRACE_PERIOD_RATIO: '1.5' }, /SECRET_GRACE_PERIOD_RATIO "1.5"/],
    [[], { SECRET_GRACE_PERIOD_RATIO: '0.5', SECRET_GRACE_PERIOD_RATIO_JITTER: '0.6' }, /within \(0, 1\)/],
    [[], { ECC_SIGNATURE_ALGORITHM: 'ED25519' }, /want ECDSA or RSA/],
    [[], { ECC_CURVE: 'P521' }, /want P256 or P384/],
    [[], { ECC_SIGNATURE_ALGORITHM: 'RSA', WORKLOAD_RSA_KEY_SIZE: '1024' }, /WORKLOAD_RSA_KEY_SIZE "1024"/],
    [[], { INSTANCE_IP: 'ten' }, /INSTANCE_IP "ten": must be an IP/],
    [[], { POD_NAMESPACE: 'Bad_NS' }, /POD_NAMESPACE/],
    [[], { ISTIO_METAJSON_LABELS: '{oops' }, /ISTIO_METAJSON_LABELS.*not JSON/],
    [['--unknown'], {}, /Unknown option '--unknown'/],
    [['extra'], {}, /agent takes no arguments/],
  ];
  for (const [args, env, message] of cases) {
    assert.throws(() => parseAgentArgs(args, env), (err: unknown) => err instanceof UserError && message.test(err.message), `${args.join(' ')} ${JSON.stringify(env)}`);
  }
});

test('the CLI dispatches `agent`, its help and its log levels', () => {
  const command = parseCommand(['agent', '--log_output_level', 'agent:debug'], {});
  assert.equal(command.name, 'agent');
  if (command.name === 'agent') assert.deepEqual(command.logLevels, { default: 'info', agent: 'debug' });
  assert.deepEqual(parseCommand(['agent', '--help'], {}), { name: 'help', topic: 'agent' });
});
