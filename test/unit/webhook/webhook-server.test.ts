/**
 * The HTTPS server: it presents the serving certificate (verified against the CA root with SAN
 * istiod.istio-system.svc) and swaps in a renewed one without a restart; the webhook flags parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { parseCommand } from '../../../src/cli/parse-args.js';
import { webhookTargets } from '../../../src/bootstrap/webhook-ca-bundle.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createSelfSignedWorkloadCa, issueServingCert } from '../../../src/security/ca/index.js';
import { startWebhookServer } from '../../../src/serve/webhook/webhook-server.js';
import { noopWebhookMetrics } from '../../../src/serve/webhook/webhook-metrics.js';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { defaultInjectorConfig } from '../../../src/inject/injector-config.js';
import { defaultValues } from '../../../src/inject/values.js';
import { createValidator } from '../../../src/model/validation/validate.js';

function peerSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'istiod.istio-system.svc' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

test('serves the current serving certificate and swaps in a renewed one without a restart', async () => {
  const ca = await createSelfSignedWorkloadCa({ trustDomain: 'cluster.local', rootKeyType: 'ec-p256', signingWorkers: 0 });
  const issue = () => issueServingCert(ca.currentSigner(), { namespace: 'istio-system', keyType: 'ec-p256' });
  let cert = issue();
  const listeners = new Set<() => void>();
  const server = await startWebhookServer({
    host: '127.0.0.1', port: 0, logger: silentLogger, ready: () => true,
    serving: { current: () => cert, onChange: (l) => (listeners.add(l), () => void listeners.delete(l)) },
    inject: { context: () => ({ settings: { config: defaultInjectorConfig(), values: defaultValues() }, meshConfig: defaultMeshConfig() }), metrics: noopWebhookMetrics, logger: silentLogger },
    validate: { validator: createValidator(), revision: '', metrics: noopWebhookMetrics, logger: silentLogger },
  });
  try {
    const root = ca.roots().join('');
    const first = await peerSerial(server.port, root);
    cert = issue();
    for (const l of listeners) l();
    const second = await peerSerial(server.port, root);
    assert.notEqual(first, second);
    await assert.rejects(peerSerial(server.port, issueServingCert(ca.currentSigner(), { namespace: 'other', keyType: 'ec-p256' }).certChainPem), 'an unrelated trust anchor fails verification');
  } finally {
    await server.close();
    await ca.close();
  }
  assert.equal(listeners.size, 0, 'unsubscribed on close');
});

test('webhook flags: --httpsAddr "" disables, --injectionDir, REVISION, ENABLE_NATIVE_SIDECARS; configuration names per revision', () => {
  const d = parseCommand(['discovery', '--configDir', 'x'], {});
  assert.ok(d.name === 'discovery');
  assert.equal(d.options.httpsAddr, ':15017');
  assert.equal(d.options.injectionDir, './var/lib/istio/inject');
  assert.equal(d.options.enableNativeSidecars, false);
  const c = parseCommand(['discovery', '--configDir', 'x', '--httpsAddr', '', '--injectionDir', '/inj'], { REVISION: 'canary', ENABLE_NATIVE_SIDECARS: 'true' });
  assert.ok(c.name === 'discovery');
  assert.equal(c.options.httpsAddr, '');
  assert.equal(c.options.injectionDir, '/inj');
  assert.equal(c.options.revision, 'canary');
  assert.equal(c.options.enableNativeSidecars, true);
  assert.throws(() => parseCommand(['discovery', '--httpsAddr', 'nope'], {}), /--httpsAddr/);
  assert.deepEqual(webhookTargets(undefined, 'istio-system').map((t) => t.name), ['istio-sidecar-injector', 'istio-validator-istio-system']);
  assert.deepEqual(webhookTargets('canary', 'mesh').map((t) => t.name), ['istio-sidecar-injector-canary', 'istio-validator-canary-mesh']);
});
