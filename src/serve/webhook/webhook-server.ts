/**
 * The HTTPS webhook port (--httpsAddr, 15017) with istiod's serving certificate, the same one
 * the secure gRPC port presents (DNS SANs istiod.<ns>.svc...). A renewed certificate is
 * swapped in with setSecureContext: new connections get it, open ones keep theirs, no restart.
 */
import { createServer, type Server } from 'node:https';
import type { Logger } from '../../lib/logger.js';
import { createWebhookHandler, type WebhookHandlerDeps } from './webhook-handler.js';

/** istiod's serving key pair, kept current by the CA side. */
export interface ServingSource {
  current(): { readonly certChainPem: string; readonly keyPem: string };
  /** Called after every renewal or root change; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export interface WebhookServerOptions extends WebhookHandlerDeps {
  readonly host: string;
  readonly port: number;
  readonly serving: ServingSource;
  readonly logger: Logger;
}

export interface WebhookServer {
  readonly port: number;
  close(): Promise<void>;
}

function secureContext(serving: ServingSource): { cert: string; key: string; minVersion: 'TLSv1.2' } {
  const { certChainPem, keyPem } = serving.current();
  return { cert: certChainPem, key: keyPem, minVersion: 'TLSv1.2' };
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const server: Server = createServer(secureContext(opts.serving), createWebhookHandler(opts));
  // A client trickling headers or a body must not hold a socket forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('tlsClientError', (err) => opts.logger.debug({ err: err.message }, 'webhook TLS handshake failed'));
  server.on('clientError', (err, socket) => {
    opts.logger.debug({ err: err.message }, 'malformed webhook request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  const unsubscribe = opts.serving.onChange(() => {
    try {
      server.setSecureContext(secureContext(opts.serving));
      opts.logger.info('webhook serving certificate reloaded');
    } catch (err) {
      opts.logger.error({ err: (err as Error).message }, 'cannot load the renewed serving certificate; keeping the previous one');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host || undefined, () => {
      server.removeListener('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    unsubscribe();
    throw err;
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close() {
      unsubscribe();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
