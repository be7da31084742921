/** The real client library pointed at a fake API server, and small waiting helpers. */
import { KubeConfig } from '@kubernetes/client-node';
import { request as httpsRequest } from 'node:https';
import type { FakeKubeApi } from '../../helpers/fake-kube-api.js';

export function kubeConfigFor(api: FakeKubeApi, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig(token));
  return kc;
}

/** Resolves when `check` holds, polling; rejects with `what` after `ms`. */
export async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The HTTP status of a rejected client call (ApiException.code), or undefined when it succeeded. */
export async function statusOf(call: Promise<unknown>): Promise<{ code: number; body: { reason?: string; kind?: string; code?: number } } | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    if (typeof e.code !== 'number') throw error;
    const body = typeof e.body === "string" ? (JSON.parse(e.body) as object) : ((e.body ?? {}) as object);
    return { code: e.code, body };
  }
}

/** A raw HTTPS request with the fake's CA (and the caller token unless `token` is null). */
export function rawRequest(api: FakeKubeApi, method: string, path: string, options: { body?: unknown; contentType?: string; token?: string | null } = {}): Promise<{ code: number; body: unknown }> {
  const token = options.token === undefined ? api.callerToken : options.token;
  const headers: Record<string, string> = { accept: 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) };
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (text !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${api.url}${path}`, { method, ca: api.caPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        resolve({ code: res.statusCode ?? 0, body: raw ? (JSON.parse(raw) as unknown) : undefined });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}
