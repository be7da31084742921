/**
 * The simulated proxies, in their own process (forked by run.ts, talking over IPC) so that the
 * driver's bookkeeping never shares an event loop with them. The parent arms "watches" (report
 * when every client has ACKed a response carrying a marker) and "converge" waits (report when
 * every client holds a complete, ACKed config on its current stream); times are epoch ms.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { containsBytes } from './wire.js';
import { SimClient, preloadTypes, type ChangedResource, type ClientOptions } from './xds-client.js';

/** Every client's options but its index, plus when a wildcard type counts as converged. */
export interface SimConfig extends Omit<ClientOptions, 'index'> {
  /** A wildcard type counts as converged once at least this many resources are held. */
  readonly minWildcard: number;
}

export interface WatchCondition {
  readonly typeUrl: string;
  /** A string that appears in the new resource's bytes (an address, a host name). */
  readonly contains: string;
}

export type ToChild =
  | { cmd: 'config'; config: SimConfig }
  | { cmd: 'grow'; to: number }
  | { cmd: 'closeAll' }
  | { cmd: 'watch'; id: number; conditions: WatchCondition[] }
  | { cmd: 'converge'; id: number }
  | { cmd: 'flush'; id: number }
  | { cmd: 'stats' };

export interface SimStats {
  readonly clients: number;
  readonly connected: number;
  readonly converged: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly rssBytes: number;
  /** Longest event-loop delay of this process since the previous stats request (a stalled client reads late). */
  readonly loopDelayMaxMs: number;
  readonly streamsOpened: number;
  /** Why streams closed (grpc status: details), with counts. */
  readonly closeReasons: Record<string, number>;
}

export type FromChild =
  | { ev: 'ready' }
  | { ev: 'armed'; id: number }
  | { ev: 'done'; id: number; times: (number | null)[]; complete: boolean }
  | { ev: 'stats'; stats: SimStats };

const now = (): number => performance.timeOrigin + performance.now();

interface Pending {
  readonly id: number;
  readonly armedAt: number;
  /** Per client: epoch ms when satisfied, null until then. */
  readonly times: (number | null)[];
  /** Watch: per client, which conditions are satisfied so far. */
  readonly satisfied?: boolean[][];
  readonly conditions?: { typeUrl: string; marker: Buffer }[];
  remaining: number;
}

let config: SimConfig | undefined;
const clients: SimClient[] = [];
const pending = new Map<number, Pending>();
const closeReasons: Record<string, number> = {};
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function send(msg: FromChild): void {
  process.send!(msg);
}

function finish(p: Pending, complete: boolean): void {
  pending.delete(p.id);
  send({ ev: 'done', id: p.id, times: p.times, complete });
}

function satisfy(p: Pending, index: number, at: number): void {
  if (p.times[index] !== null && p.times[index] !== undefined) return;
  p.times[index] = at;
  if (--p.remaining === 0) finish(p, true);
}

function checkWatch(p: Pending, client: SimClient, typeUrl: string, changed: readonly ChangedResource[], at: number): void {
  const flags = p.satisfied![client.index]!;
  p.conditions!.forEach((c, k) => {
    if (flags[k] || c.typeUrl !== typeUrl) return;
    if (changed.some((r) => containsBytes(r.bytes, c.marker))) flags[k] = true;
  });
  if (flags.every(Boolean)) satisfy(p, client.index, at);
}

const events = {
  acked(client: SimClient, typeUrl: string, changed: readonly ChangedResource[]) {
    const at = now();
    for (const p of [...pending.values()]) {
      if (p.conditions) checkWatch(p, client, typeUrl, changed, at);
      else if (client.isConverged(config!.minWildcard)) satisfy(p, client.index, at);
    }
  },
  streamClosed(_client: SimClient, reason: string) {
    closeReasons[reason] = (closeReasons[reason] ?? 0) + 1;
  },
};

function arm(id: number, conditions?: { typeUrl: string; marker: Buffer }[]): void {
  const at = now();
  const p: Pending = {
    id, armedAt: at, times: clients.map(() => null), remaining: clients.length,
    ...(conditions ? { conditions, satisfied: clients.map(() => conditions.map(() => false)) } : {}),
  };
  pending.set(id, p);
  send({ ev: 'armed', id });
  if (!conditions) for (const c of clients) if (c.isConverged(config!.minWildcard)) satisfy(p, c.index, at);
  if (p.remaining === 0 && pending.has(id)) finish(p, true);
}

function stats(): SimStats {
  const cpu = process.cpuUsage();
  const out: SimStats = {
    clients: clients.length,
    connected: clients.filter((c) => c.connected).length,
    converged: clients.filter((c) => c.isConverged(config!.minWildcard)).length,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssBytes: process.memoryUsage.rss(),
    loopDelayMaxMs: loopDelay.max / 1e6,
    streamsOpened: clients.reduce((n, c) => n + c.streams, 0),
    closeReasons: { ...closeReasons },
  };
  loopDelay.reset();
  return out;
}

function handle(msg: ToChild): void {
  switch (msg.cmd) {
    case 'config':
      config = msg.config;
      preloadTypes();
      return;
    case 'grow':
      while (clients.length < msg.to) {
        const c = new SimClient({ ...config!, index: clients.length }, events);
        clients.push(c);
        c.start();
      }
      return;
    case 'closeAll':
      for (const c of clients) c.close();
      clients.length = 0;
      return;
    case 'watch':
      return arm(msg.id, msg.conditions.map((c) => ({ typeUrl: c.typeUrl, marker: Buffer.from(c.contains) })));
    case 'converge':
      return arm(msg.id);
    case 'flush': {
      const p = pending.get(msg.id);
      if (p) finish(p, false);
      return;
    }
    case 'stats':
      return send({ ev: 'stats', stats: stats() });
  }
}

process.on('message', (msg) => handle(msg as ToChild));
process.on('disconnect', () => process.exit(0));
send({ ev: 'ready' });
