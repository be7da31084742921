/**
 * A deliberately small Kubernetes API client: one JSON request at a time over HTTPS with the
 * server URL, CA bundle and credentials a kubeconfig or the in-cluster service account gives.
 * It exists for TokenReview and the CA's own objects (istio-ca-secret, istio-ca-root-cert);
 * the informer-based client of the sources layer can replace it.
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

/** PATCH sends an RFC 6902 JSON patch when the body is an array, a JSON merge patch otherwise. */
export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface KubeClient {
  /**
   * Rejects only for transport problems (connect, TLS, timeout, oversize); HTTP errors are responses.
   * `contentType` overrides the body's media type (server-side apply: application/apply-patch+yaml).
   */
  request(method: KubeMethod, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
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
    request(method, path, body, contentType) {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const token = config.token?.();
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload) headers['content-type'] = contentType ?? (method !== 'PATCH' ? 'application/json' : Array.isArray(body) ? 'application/json-patch+json' : 'application/merge-patch+json');
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

/** The API server's `Status` reasons callers branch on (metav1.StatusReason values). */
export type KubeStatusReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Forbidden' | 'Unauthorized' | 'Invalid' | 'BadRequest' | (string & {});

/**
 * A non-2xx answer, with the `Status` object's reason and causes so callers can tell a lost
 * create race (409 AlreadyExists) from a stale update (409 Conflict). The message names the
 * request and quotes the server's message (bounded), never the request body.
 */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: KubeStatusReason,
    readonly request: string,
    readonly serverMessage: string,
    /** details.causes[].reason, e.g. NamespaceTerminating. */
    readonly causes: readonly string[] = [],
  ) {
    super(`${request}: HTTP ${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.status === 404;
export const isAlreadyExists = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
/** 409 other than AlreadyExists: the resourceVersion we sent is stale. */
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409 && err.reason !== 'AlreadyExists';
export const isForbidden = (err: unknown): boolean => err instanceof KubeApiError && err.status === 403;

function errorOf(method: KubeMethod, path: string, response: KubeResponse): KubeApiError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { reason?: unknown; message?: unknown; details?: { causes?: unknown } };
  const causes = Array.isArray(body.details?.causes) ? body.details.causes.map((c: { reason?: unknown }) => (typeof c?.reason === 'string' ? c.reason : '')).filter(Boolean) : [];
  const message = typeof body.message === 'string' ? body.message.slice(0, 512) : '';
  return new KubeApiError(response.status, typeof body.reason === 'string' ? body.reason : '', `${method} ${path.split('?')[0]}`, message, causes);
}

/** One JSON call whose non-2xx answer rejects with a KubeApiError; the parsed body otherwise. */
export async function kubeJson<T>(kube: KubeClient, method: KubeMethod, path: string, body?: unknown): Promise<T> {
  const response = await kube.request(method, path, body);
  if (response.status < 200 || response.status > 299) throw errorOf(method, path, response);
  if (typeof response.body !== 'object' || response.body === null) throw new KubeApiError(response.status, 'BadResponse', `${method} ${path.split('?')[0]}`, 'the response is not a JSON object');
  return response.body as T;
}

export interface KubeListOptions {
  /** e.g. `metadata.name=istio-ca-root-cert`. */
  readonly fieldSelector?: string;
  /** Page size; the API server's `limit`. Default 500. */
  readonly limit?: number;
  /** Stop after this many pages (a runaway `continue` loop is a bug, not a big cluster). Default 1000. */
  readonly maxPages?: number;
}

/** All items of a list path (`/api/v1/namespaces`), following `metadata.continue` page by page. */
export async function kubeListAll<T>(kube: KubeClient, path: string, options: KubeListOptions = {}): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 1000); page++) {
    const query = new URLSearchParams({ limit: String(options.limit ?? 500) });
    if (options.fieldSelector) query.set('fieldSelector', options.fieldSelector);
    if (token) query.set('continue', token);
    const list = await kubeJson<{ items?: unknown; metadata?: { continue?: unknown } }>(kube, 'GET', `${path}?${query}`);
    if (!Array.isArray(list.items)) throw new KubeApiError(200, 'BadResponse', `GET ${path}`, 'the list has no items array');
    items.push(...(list.items as T[]));
    token = typeof list.metadata?.continue === 'string' && list.metadata.continue !== '' ? list.metadata.continue : undefined;
    if (!token) return items;
  }
  throw new KubeApiError(200, 'BadResponse', `GET ${path}`, `more than ${options.maxPages ?? 1000} pages`);
}
