/**
 * Reading an AdmissionReview body defensively: JSON content type only (415), at most 6 MiB
 * (413, decided from Content-Length when it is sent, while streaming otherwise), JSON nested
 * no deeper than a Kubernetes object ever is (400), so that nothing later recurses without bound.
 */
import type { IncomingMessage } from 'node:http';

/** The API server's own limit for an admission request body is about this size. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** Real objects nest a few dozen levels; this bounds every recursive walk that follows. */
export const MAX_JSON_DEPTH = 512;

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; message: string };

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** Deepest bracket nesting in a JSON text (strings skipped); stops counting past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/** Collects the body up to `maxBytes`; resolves with the text or the HTTP status to answer. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false; status: number; message: string }> {
  const tooLarge = { ok: false as const, status: 413, message: `request body is larger than ${maxBytes} bytes` };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: { ok: true; text: string } | { ok: false; status: number; message: string }) => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish(tooLarge);
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', (err) => finish({ ok: false, status: 400, message: `cannot read the request body: ${err.message}` }));
    req.once('aborted', () => finish({ ok: false, status: 400, message: 'the client aborted the request' }));
  });
}

/** Body text → JSON value, or a 400 naming what is wrong. */
export function parseJsonBody(text: string): BodyResult {
  if (text.trim() === '') return { ok: false, status: 400, message: 'no body found: expected an AdmissionReview' };
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return { ok: false, status: 400, message: `could not decode body: JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, status: 400, message: `could not decode body: ${(err as Error).message.slice(0, 200)}` };
  }
}
