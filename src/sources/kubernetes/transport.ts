/**
 * What an informer needs from the API server: a complete list and a watch stream. The real
 * implementation (kube-transport.ts) uses @kubernetes/client-node; tests script their own.
 */
import type { KubeObject } from './object-cache.js';

export interface ListResult {
  readonly items: readonly KubeObject[];
  /** The list's metadata.resourceVersion: where the following watch starts. */
  readonly resourceVersion: string;
  /** True when list()'s `transform` was applied to each item as its page arrived (undefined results left out). */
  readonly transformed?: boolean;
}

export interface WatchParams {
  readonly resourceVersion: string;
  readonly allowWatchBookmarks: boolean;
  /** Asks the server to end the watch after this long (it then ends cleanly). */
  readonly timeoutSeconds: number;
}

export interface WatchHandle {
  abort(): void;
}

/** ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (then `object` is a Status). */
export type WatchEventHandler = (type: string, object: KubeObject) => void;

export interface ListWatchTransport {
  /**
   * Rejects with a KubeApiError for an HTTP error (statusCode 410 = Gone, 404 = not served).
   * An implementation may apply `transform` per page (then says so in `transformed`): the
   * untransformed page dies young instead of every full object living until the list ends.
   */
  list(path: string, signal?: AbortSignal, transform?: (item: KubeObject) => KubeObject | undefined): Promise<ListResult>;
  /**
   * Starts a watch. `onDone` is called exactly once when the stream ends: with null for a clean
   * end, or with the error (a KubeApiError with statusCode when the server refused it).
   */
  watch(path: string, params: WatchParams, onEvent: WatchEventHandler, onDone: (err: unknown) => void): Promise<WatchHandle>;
}

/** An HTTP error from the API server, with the Status it sent when there was one. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The HTTP status of an error from list/watch, or of an ERROR event's Status object. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  return typeof e.code === 'number' ? e.code : undefined;
}
