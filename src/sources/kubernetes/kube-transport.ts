/**
 * ListWatchTransport over plain HTTP(S) requests carrying the KubeConfig's TLS and auth options
 * (@kubernetes/client-node's applyToHTTPSOptions: CA, client certificates, bearer tokens and
 * token files, exec plugins, proxies). Lists are paged GETs, each page parsed once; watches are
 * read by watch-stream.ts (our own line splitter: client-node's Watch goes through node-fetch,
 * a PassThrough and readline, several times the cost of the JSON.parse per event). Why not the
 * typed API clients for lists: they deserialize into model classes (timestamps become Dates,
 * unknown fields are dropped), so an object would no longer be the JSON the file source sees
 * for the same manifest; the raw JSON keeps it byte-for-byte.
 */
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from './object-cache.js';
import type { ListResult, ListWatchTransport } from './transport.js';
import { errorFromResponse, openWatchStream, type SendRequest } from './watch-stream.js';

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

const sendFor = (url: URL): SendRequest => (url.protocol === 'http:' ? httpRequest : httpsRequest);

/** TLS and auth for one request (or one list's pages): re-read each time, so rotated tokens are picked up. */
async function requestOptions(kc: KubeConfig): Promise<RequestOptions> {
  const opts: RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  return opts;
}

/**
 * The same TLS options on a keep-alive agent for one list's pages: one connection (one TLS
 * handshake and CA parse) for all of them instead of one per page. Proxy agents stay as they are.
 */
function withKeepAlive(opts: RequestOptions): { opts: RequestOptions; release(): void } {
  const agent = opts.agent;
  if (!(agent instanceof HttpsAgent) || agent.constructor !== HttpsAgent) return { opts, release: () => {} };
  const own = new HttpsAgent({ ...(agent as HttpsAgent & { options: object }).options, keepAlive: true, maxSockets: 1 });
  return { opts: { ...opts, agent: own }, release: () => own.destroy() };
}

function getJson(url: URL, opts: RequestOptions, signal?: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = sendFor(url)(url, { ...opts, method: 'GET', headers: { ...opts.headers, accept: 'application/json' }, ...(signal ? { signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_LIST_PAGE_BYTES) req.destroy(new Error(`list page over ${MAX_LIST_PAGE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks, size).toString('utf8');
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) return reject(errorFromResponse(res.statusCode ?? 0, body));
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
  return {
    async list(path, signal, transform) {
      const items: KubeObject[] = [];
      const { opts, release } = withKeepAlive(await requestOptions(kc));
      let token = '';
      try {
        for (;;) {
          const url = new URL(serverUrl(kc) + path);
          url.searchParams.set('limit', String(LIST_PAGE_SIZE));
          if (token) url.searchParams.set('continue', token);
          const page = (await getJson(url, opts, signal)) as ListPage;
          if (!Array.isArray(page?.items)) throw new Error(`the API server's list of ${path} has no items array`);
          for (const item of page.items) {
            const kept = transform ? transform(item) : item;
            if (kept) items.push(kept);
          }
          token = page.metadata?.continue ?? '';
          if (!token) return { items, resourceVersion: page.metadata?.resourceVersion ?? '', transformed: transform !== undefined } satisfies ListResult;
        }
      } finally {
        release();
      }
    },
    async watch(path, params, onEvent, onDone) {
      const url = new URL(serverUrl(kc) + path);
      url.searchParams.set('watch', 'true');
      url.searchParams.set('resourceVersion', params.resourceVersion);
      url.searchParams.set('allowWatchBookmarks', String(params.allowWatchBookmarks));
      url.searchParams.set('timeoutSeconds', String(params.timeoutSeconds));
      return openWatchStream(sendFor(url), url, await requestOptions(kc), onEvent, onDone);
    },
  };
}
