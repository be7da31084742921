/**
 * A deliberately small Kubernetes API client: one JSON request at a time over HTTPS with the
 * server URL, CA bundle and credentials a kubeconfig or the in-cluster service account gives.
 * It exists for TokenReview; the informer-based client of the sources layer can replace it.
 * Bounded: every request has a timeout and a response size limit.
 */
import https from 'node:https';

export interface KubeClientConfig {
  /** `https://host:port`, optionally with a path prefix. */
  readonly server: string;
  /** PEM bundle that verifies the API server (kubeconfig certificate-authority-data / ca.crt). */
  readonly caPem?: string;
  /** Bearer token, read on every request so a rotated projected token is picked up. */
  readonly token?: () => string | undefined;
  /** Client certificate credentials, as some kubeconfigs carry instead of a token. */
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

export interface KubeResponse {
  readonly status: number;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  readonly body: unknown;
}

export interface KubeClient {
  /** Rejects only for transport problems (connect, TLS, timeout, oversize); HTTP errors are responses. */
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<KubeResponse>;
  /** Drops pooled connections. */
  close(): void;
}

export const DEFAULT_KUBE_TIMEOUT_MS = 10_000;
export const DEFAULT_KUBE_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function parseJson(text: string): unknown {
  try {
    return text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export function createKubeClient(config: KubeClientConfig): KubeClient {
  const base = new URL(config.server);
  if (base.protocol !== 'https:') throw new Error(`Kubernetes API server ${config.server}: only https:// is supported`);
  const timeoutMs = config.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const maxBytes = config.maxResponseBytes ?? DEFAULT_KUBE_MAX_RESPONSE_BYTES;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: config.caPem, cert: config.clientCertPem, key: config.clientKeyPem });
  const prefix = base.pathname.replace(/\/$/, '');

  return {
    request(method, path, body) {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const token = config.token?.();
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      return new Promise((resolve, reject) => {
        const req = https.request(
          { agent, protocol: base.protocol, hostname: base.hostname, port: base.port, path: `${prefix}${path}`, method, headers },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > maxBytes) {
                clearTimeout(timer);
                reject(new Error(`response from ${method} ${path} exceeds ${maxBytes} bytes`));
                req.destroy();
                return;
              }
              chunks.push(chunk);
            });
            res.on('end', () => {
              clearTimeout(timer);
              resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) });
            });
            res.on('error', reject);
          },
        );
        // A whole-request deadline: a server trickling bytes must not hold a CSR forever.
        const timer = setTimeout(() => {
          reject(new Error(`${method} ${path} timed out after ${timeoutMs} ms`));
          req.destroy();
        }, timeoutMs);
        req.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
