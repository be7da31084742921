/** A webhook handler on plain loopback HTTP (TLS is the e2e tests' business), with recording metrics. */
import { createServer, request, type Server } from 'node:http';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { defaultInjectorConfig, type InjectorSettings } from '../../../src/inject/injector-config.js';
import { defaultValues } from '../../../src/inject/values.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createValidator, type Validator } from '../../../src/model/validation/validate.js';
import { createWebhookHandler } from '../../../src/serve/webhook/webhook-handler.js';
import type { WebhookMetrics } from '../../../src/serve/webhook/webhook-metrics.js';

export interface Harness {
  readonly port: number;
  readonly counts: Record<string, number>;
  settings: InjectorSettings;
  post(path: string, body: string | Buffer, contentType?: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

let sharedValidator: Validator | undefined;

export function recordingMetrics(counts: Record<string, number>): WebhookMetrics {
  const inc = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  return {
    injectionRequested: () => inc('requested'),
    injectionSucceeded: () => inc('succeeded'),
    injectionSkipped: () => inc('skipped'),
    injectionFailed: (t) => inc(`failed:${t}`),
    validationPassed: (r) => inc(`passed:${r.resource}`),
    validationFailed: (r, reason) => inc(`failed:${r.resource}:${reason}`),
    httpError: (s) => inc(`http:${s}`),
  };
}

export async function startHarness(opts: { revision?: string; maxBodyBytes?: number } = {}): Promise<Harness> {
  sharedValidator ??= createValidator();
  const counts: Record<string, number> = {};
  const metrics = recordingMetrics(counts);
  const state = { settings: { config: defaultInjectorConfig(), values: defaultValues() } as InjectorSettings };
  const server: Server = createServer(createWebhookHandler({
    ready: () => true,
    logger: silentLogger,
    ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    inject: { context: () => ({ settings: state.settings, meshConfig: defaultMeshConfig(), revision: opts.revision ?? '' }), metrics, logger: silentLogger },
    validate: { validator: sharedValidator, revision: opts.revision ?? '', metrics, logger: silentLogger },
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    counts,
    get settings() {
      return state.settings;
    },
    set settings(s) {
      state.settings = s;
    },
    post(path, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': contentType } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => new Promise((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

export function review(object: unknown, extra: Record<string, unknown> = {}): string {
  const o = object as { kind?: string; apiVersion?: string; metadata?: { namespace?: string; name?: string } };
  const [group, version] = (o.apiVersion ?? 'v1').includes('/') ? (o.apiVersion as string).split('/') : ['', o.apiVersion ?? 'v1'];
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'uid-1', kind: { group, version, kind: o.kind ?? 'Pod' }, operation: 'CREATE', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '', object, ...extra },
  });
}

export const pod = (ns = 'default', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: ns, labels: { app: 'web' }, ...extra },
  spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
});
