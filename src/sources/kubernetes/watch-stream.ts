/**
 * A Kubernetes watch over one HTTP(S) request: the response body is newline-delimited JSON
 * ({"type": ..., "object": ...} per line). Lines are split on Buffers (0x0A never occurs inside
 * a multi-byte UTF-8 sequence, so a chunk boundary anywhere is safe) and each line is decoded
 * and JSON.parsed exactly once: no readline, no intermediate streams. A line over the size bound
 * or one that is not a watch event ends the stream with an error (the informer then resumes
 * from the last resourceVersion it saw) instead of being skipped silently.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { KubeObject } from './object-cache.js';
import { KubeApiError, type WatchEventHandler, type WatchHandle } from './transport.js';

/** Larger than any object the API server stores (etcd's default request limit is 1.5 MiB). */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;
/** An error response's body is read up to this much for its Status message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** TCP keep-alive probes on the watch socket: a dead peer is noticed without any traffic. */
const KEEPALIVE_DELAY_MS = 30_000;

/** Splits a byte stream into lines; each complete line (without its newline) goes to `onLine`. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = MAX_WATCH_LINE_BYTES,
  ) {}

  /**
   * Feeds one chunk. Throws when a line grows past the bound. `onLine` may return early
   * processing by throwing; lines after that in the chunk are then not delivered.
   */
  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const length = this.pendingBytes + nl - start;
      if (length > this.maxLineBytes) throw this.tooLong(length);
      const line = this.pendingBytes === 0 ? chunk.toString('utf8', start, nl) : this.takePending(chunk.subarray(start, nl));
      start = nl + 1;
      this.onLine(line);
    }
    if (start >= chunk.length) return;
    this.pendingBytes += chunk.length - start;
    if (this.pendingBytes > this.maxLineBytes) throw this.tooLong(this.pendingBytes);
    this.pending.push(start === 0 ? chunk : chunk.subarray(start));
  }

  /** True when bytes of an unfinished line (other than whitespace) are waiting for their newline. */
  hasPartialLine(): boolean {
    return this.pending.some((b) => b.toString('utf8').trim() !== '');
  }

  private takePending(tail: Buffer): string {
    this.pending.push(tail);
    const text = Buffer.concat(this.pending, this.pendingBytes + tail.length).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    return text;
  }

  private tooLong(bytes: number): Error {
    return new Error(`a watch event line is over ${this.maxLineBytes} bytes (${bytes} so far)`);
  }
}

export interface WatchEvent {
  readonly type: string;
  readonly object: KubeObject;
}

/** One line of a watch stream as an event; throws a clear error for anything else. Blank lines are null. */
export function parseWatchEvent(line: string): WatchEvent | null {
  if (line.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new Error(`the API server sent a watch event that is not JSON: ${(err as Error).message}`);
  }
  const event = parsed as { type?: unknown; object?: unknown };
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string' || typeof event.object !== 'object' || event.object === null || Array.isArray(event.object)) {
    throw new Error('the API server sent a watch event without a string type and an object');
  }
  return { type: event.type, object: event.object as KubeObject };
}

/** A KubeApiError from an error response: the Status message when the body is one. */
export function errorFromResponse(statusCode: number, body: string): KubeApiError {
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

export type SendRequest = (url: URL, options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

/**
 * Opens the watch at `url` (its query already says watch=true and where to start). `onDone`
 * is called exactly once: null for a clean end of the stream or an abort, else the error (a
 * KubeApiError carrying the status code when the server refused the watch).
 */
export function openWatchStream(send: SendRequest, url: URL, options: RequestOptions, onEvent: WatchEventHandler, onDone: (err: unknown) => void): WatchHandle {
  let done = false;
  const finish = (err: unknown) => {
    if (done) return;
    done = true;
    req.destroy();
    onDone(err);
  };
  const splitter = new LineSplitter((line) => {
    const event = parseWatchEvent(line);
    if (event && !done) onEvent(event.type, event.object);
  });
  const req = send(url, { ...options, method: 'GET', headers: { ...options.headers, accept: 'application/json' } }, (res) => {
    if (res.statusCode !== 200) return readError(res, finish);
    res.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        splitter.push(chunk);
      } catch (err) {
        finish(err);
      }
    });
    res.on('end', () => finish(splitter.hasPartialLine() ? new Error('the watch stream ended in the middle of an event') : null));
    res.on('error', finish);
    res.on('close', () => finish(res.complete ? null : new Error('the watch connection closed before the stream ended')));
  });
  req.on('socket', (socket) => socket.setKeepAlive(true, KEEPALIVE_DELAY_MS));
  req.on('error', finish);
  req.end();
  return { abort: () => finish(null) };
}

function readError(res: IncomingMessage, finish: (err: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const statusCode = res.statusCode ?? 0;
  res.on('data', (c: Buffer) => {
    if (size < MAX_ERROR_BODY_BYTES) chunks.push(c);
    size += c.length;
  });
  const fail = () => finish(errorFromResponse(statusCode, Buffer.concat(chunks).toString('utf8')));
  res.on('end', fail);
  res.on('error', fail);
  res.on('close', fail);
}
