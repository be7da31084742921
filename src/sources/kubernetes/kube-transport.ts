/**
 * ListWatchTransport over @kubernetes/client-node: the library's Watch for the stream (it owns
 * the connection, auth headers and line framing) and a plain GET with the KubeConfig's TLS and
 * auth options for lists. Why not the typed API clients for lists: they deserialize into model
 * classes (timestamps become Dates, unknown fields are dropped), so an object would no longer be
 * the JSON the file source sees for the same manifest; the raw list keeps it byte-for-byte.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from './object-cache.js';
import { KubeApiError, type ListResult, type ListWatchTransport } from './transport.js';

/** Page size for lists, as client-go's reflector uses (continue tokens fetch the rest). */
const LIST_PAGE_SIZE = 500;
/** A single list page larger than this is refused rather than exhausting memory. */
const MAX_LIST_PAGE_BYTES = 256 * 1024 * 1024;

interface ListPage {
  readonly items?: KubeObject[];
  readonly metadata?: { resourceVersion?: string; continue?: string };
}

function serverUrl(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return cluster.server.replace(/\/+$/, '');
}

function errorFrom(statusCode: number, body: string): KubeApiError {
  try {
    const status = JSON.parse(body) as { message?: unknown; reason?: unknown };
    if (typeof status.message === 'string') {
      return new KubeApiError(statusCode, status.message, typeof status.reason === 'string' ? status.reason : undefined);
    }
  } catch {
    // not a Status object: fall through to the bare HTTP status
  }
  return new KubeApiError(statusCode, `HTTP ${statusCode} from the API server`);
}

async function getJson(kc: KubeConfig, url: URL, signal?: AbortSignal): Promise<unknown> {
  const opts: RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...opts, method: 'GET', headers: { ...opts.headers, accept: 'application/json' }, ...(signal ? { signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_LIST_PAGE_BYTES) req.destroy(new Error(`list page over ${MAX_LIST_PAGE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) return reject(errorFrom(res.statusCode ?? 0, body));
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(new Error(`the API server sent a list that is not JSON: ${(err as Error).message}`));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export function createKubeTransport(kc: KubeConfig): ListWatchTransport {
  const watcher = new Watch(kc);
  return {
    async list(path, signal) {
      const items: KubeObject[] = [];
      let token = '';
      for (;;) {
        const url = new URL(serverUrl(kc) + path);
        url.searchParams.set('limit', String(LIST_PAGE_SIZE));
        if (token) url.searchParams.set('continue', token);
        const page = (await getJson(kc, url, signal)) as ListPage;
        if (!Array.isArray(page?.items)) throw new Error(`the API server's list of ${path} has no items array`);
        items.push(...page.items);
        token = page.metadata?.continue ?? '';
        if (!token) return { items, resourceVersion: page.metadata?.resourceVersion ?? '' } satisfies ListResult;
      }
    },
    async watch(path, params, onEvent, onDone) {
      const query = { resourceVersion: params.resourceVersion, allowWatchBookmarks: params.allowWatchBookmarks, timeoutSeconds: params.timeoutSeconds };
      const controller = await watcher.watch(path, query, (type: string, obj: unknown) => onEvent(type, obj as KubeObject), (err: unknown) => onDone(err ?? null));
      return { abort: () => controller.abort() };
    },
  };
}
