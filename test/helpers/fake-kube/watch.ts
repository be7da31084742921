/**
 * WATCH streams as kube-apiserver serves them: 200 with a chunked body of one JSON event per line
 * ({type, object}). resourceVersion unset or "0": synthetic ADDED for the current objects first;
 * N: exactly the changes after N, in order, or (N older than the compaction horizon) one ERROR
 * event carrying a 410 Expired Status, then the stream ends. Selectors apply to transitions as
 * the watch cache does (an update leaving the selector is DELETED, entering it is ADDED).
 * allowWatchBookmarks: BOOKMARK events (object: kind, apiVersion, metadata.resourceVersion) on
 * the hub's `bookmark()` or interval; sendInitialEvents ends the initial ADDED events with a
 * bookmark annotated k8s.io/initial-events-end. timeoutSeconds ends the stream cleanly.
 *
 * The hub's chaos knobs: drop (reset or clean end), stall (queue events while mutations go on),
 * fail the next watches with 410.
 */
import type { ServerResponse } from 'node:http';
import { parseRv, render } from './list.js';
import type { ObjectStore, StoreEvent } from './object-store.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import type { Target } from './rest.js';
import { parseSelectors, type Matcher } from './selectors.js';
import { badRequest, statusBody, type KubeObject, type Reply } from './types.js';

interface Watcher {
  readonly target: Target;
  readonly matches: Matcher;
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
  readonly queue: string[];
  readonly close: () => void;
}

export interface DropOptions {
  /** Only watches of this resource (plural or plural.group). */
  readonly resource?: string;
  /** End the response cleanly (like a server-side timeout) instead of resetting the connection. */
  readonly graceful?: boolean;
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private stalledUntil = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly failures: Array<string | undefined> = [];
  private readonly bookmarkTimer: NodeJS.Timeout | undefined;

  constructor(private readonly store: ObjectStore, bookmarkIntervalMs?: number) {
    if (bookmarkIntervalMs) this.bookmarkTimer = setInterval(() => this.bookmark(), bookmarkIntervalMs).unref();
  }

  /** Open watches (of one resource). */
  count(resource?: string): number {
    return [...this.watchers].filter((w) => this.selects(w, resource)).length;
  }

  drop(options: DropOptions = {}): number {
    const dropped = [...this.watchers].filter((w) => this.selects(w, options.resource));
    for (const w of dropped) {
      w.close();
      if (options.graceful) w.res.end();
      else w.res.socket?.destroy();
    }
    return dropped.length;
  }

  /** Hold every event (and bookmark) for `ms`, then deliver the backlog in order. */
  stall(ms: number): void {
    this.stalledUntil = Date.now() + ms;
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.resume(), ms).unref();
  }

  resume(): void {
    this.stalledUntil = 0;
    clearTimeout(this.stallTimer);
    for (const w of this.watchers) this.flush(w);
  }

  /** The next watch (of `resource`) gets an ERROR 410 Expired event and ends. */
  failNext(resource?: string, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(resource);
  }

  bookmark(): void {
    const rv = this.store.currentRevision();
    for (const w of this.watchers) if (w.bookmarks) this.send(w, line('BOOKMARK', bookmarkObject(w.target, rv)));
  }

  closeAll(): void {
    clearInterval(this.bookmarkTimer);
    clearTimeout(this.stallTimer);
    for (const w of [...this.watchers]) w.close();
  }

  /** Serve a watch request (authorized already); a Reply when it fails before streaming. */
  serve(res: ServerResponse, target: Target, query: URLSearchParams): Reply | undefined {
    const selector = parseSelectors(query, target.type);
    if (!selector.ok) return badRequest(selector.error);
    const rv = parseRv(query.get('resourceVersion'));
    if (Number.isNaN(rv)) return badRequest(`invalid resource version: ${query.get('resourceVersion')}`);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const failure = this.failures.findIndex((r) => this.selectsType(target.type, r));
    const initial = rv === undefined || rv === 0 || query.get('sendInitialEvents') === 'true';
    const backlog = failure >= 0 || initial ? [] : this.store.eventsAfter(rv);
    if (failure >= 0 || !backlog) {
      if (failure >= 0) this.failures.splice(failure, 1);
      const message = `too old resource version: ${rv ?? 0} (${this.store.compactedRevision()})`;
      res.end(JSON.stringify({ type: 'ERROR', object: statusBody(410, 'Expired', message) }) + '\n');
      return undefined;
    }
    const byName = target.name;
    const matches: Matcher = (o) => (target.namespace === undefined || o.metadata.namespace === target.namespace) && (byName === undefined || o.metadata.name === byName) && selector.matches(o);
    const watcher = this.open(res, target, matches, query.get('allowWatchBookmarks') === 'true');
    if (initial) this.sendInitial(watcher, query.get('sendInitialEvents') === 'true');
    for (const event of backlog) this.deliver(watcher, event);
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    if (timeout > 0) {
      const timer = setTimeout(() => (watcher.close(), res.end()), timeout * 1000);
      res.on('close', () => clearTimeout(timer));
    }
    return undefined;
  }

  private open(res: ServerResponse, target: Target, matches: Matcher, bookmarks: boolean): Watcher {
    const watcher: Watcher = {
      target,
      matches,
      bookmarks,
      res,
      queue: [],
      close: () => {
        unsubscribe();
        this.watchers.delete(watcher);
      },
    };
    const unsubscribe = this.store.subscribe((event) => this.deliver(watcher, event));
    res.on('close', watcher.close);
    this.watchers.add(watcher);
    return watcher;
  }

  private sendInitial(w: Watcher, endBookmark: boolean): void {
    const state = this.store.snapshot(w.target.type)!;
    for (const key of [...state.keys()].sort()) {
      const obj = state.get(key)!;
      if (w.matches(obj)) this.send(w, line('ADDED', render(w.target.type, w.target.version, obj)));
    }
    if (endBookmark && w.bookmarks) {
      const mark = bookmarkObject(w.target, this.store.currentRevision());
      mark.metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      this.send(w, line('BOOKMARK', mark));
    }
  }

  /** One store change as this watcher sees it (selector transitions included), if at all. */
  private deliver(w: Watcher, event: StoreEvent): void {
    if (event.resource !== w.target.type) return;
    const was = event.prev !== undefined && event.type !== 'ADDED' && w.matches(event.prev);
    const is = event.type !== 'DELETED' && w.matches(event.object);
    const type = was && is ? 'MODIFIED' : is ? 'ADDED' : was ? 'DELETED' : undefined;
    if (type) this.send(w, line(type, render(w.target.type, w.target.version, event.object)));
  }

  private send(w: Watcher, text: string): void {
    w.queue.push(text);
    if (Date.now() >= this.stalledUntil) this.flush(w);
  }

  private flush(w: Watcher): void {
    if (w.queue.length === 0 || w.res.writableEnded || w.res.destroyed) return;
    w.res.write(w.queue.join(''));
    w.queue.length = 0;
  }

  private selects(w: Watcher, resource: string | undefined): boolean {
    return this.selectsType(w.target.type, resource);
  }

  private selectsType(type: ResourceType, resource: string | undefined): boolean {
    return resource === undefined || this.store.types.byName(resource) === type;
  }
}

const line = (type: string, object: unknown): string => JSON.stringify({ type, object }) + '\n';

function bookmarkObject(target: Target, rv: string): KubeObject {
  return { kind: target.type.kind, apiVersion: apiVersionOf(target.type, target.version), metadata: { resourceVersion: rv } as KubeObject['metadata'] };
}
