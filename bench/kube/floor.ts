/**
 * `node dist/bench/kube/floor.js`: what any Node process pays on this machine to receive one watch
 * event, before any of our code runs. A server child streams one 3.6 KB watch line (a bench Pod as
 * MODIFIED) at a fixed rate over a chunked response, as the API server does for a watch; a client
 * child receives it with bare node:https (or node:http) and does nothing with it (mode "+parse":
 * split lines and JSON.parse each, the least a watch client must do). The "timer" mode is a client
 * that only re-arms an empty setTimeout at the rate. CPU is the client's own (process.cpuUsage:
 * user + system, all threads) over the phase minus its idle rate (connection open, nothing sent),
 * divided by the lines received. Modes interleave per round; medians over rounds. "+hold<ms>"
 * (e.g. https-100+parse+hold50) stops reading the socket for that long after each chunk: what
 * coalescing reads at the cost of that much latency would save.
 *
 * Run: node dist/bench/kube/floor.js [--rounds 5] [--seconds 8] [--modes https-100,http-100,...]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, get as httpGet, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loopbackServingCert } from '../../test/helpers/fake-kube-api.js';
import { machineFacts, median } from '../ads/proc-stats.js';
import { DEFAULT_SIZE, pod } from './cluster.js';

const LINE = Buffer.from(JSON.stringify({ type: 'MODIFIED', object: pod(1, DEFAULT_SIZE, 2) }) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

interface Mode {
  readonly name: string;
  readonly transport: 'https' | 'http' | 'timer';
  readonly rate: number;
  readonly parse: boolean;
  /** "+hold<ms>": after each chunk the socket stops reading for this long (reads coalesce). */
  readonly holdMs: number;
}

function parseMode(name: string): Mode {
  const m = /^(https|http|timer)-(\d+)(\+parse)?(?:\+hold(\d+))?$/.exec(name);
  if (!m) throw new Error(`bad mode ${JSON.stringify(name)}: expected https|http|timer-<rate>[+parse][+hold<ms>]`);
  return { name, transport: m[1] as Mode['transport'], rate: Number(m[2]), parse: m[3] !== undefined, holdMs: Number(m[4] ?? 0) };
}

// ---------------------------------------------------------------- server child

/** Writes `rate` lines/s to every open response: one tick per line up to 1,000/s (catching up if late). */
function runServer(transport: 'https' | 'http'): void {
  const responses: ServerResponse[] = [];
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: chunked, like a watch
    res.flushHeaders();
    responses.push(res);
  };
  const { certPem, keyPem } = loopbackServingCert();
  const server = transport === 'https' ? createHttpsServer({ cert: certPem, key: keyPem }, onRequest) : createHttpServer(onRequest);
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port, caPem: certPem }));
  process.on('message', (msg: { cmd: string; rate: number; seconds: number }) => {
    if (msg.cmd === 'exit') process.exit(0);
    const total = Math.round(msg.rate * msg.seconds);
    const t0 = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * msg.rate));
      for (; sent < due; sent++) for (const res of responses) res.write(LINE);
      if (sent >= total) {
        clearInterval(timer);
        process.send!({ sent });
      }
    }, Math.max(1, 1000 / msg.rate));
  });
}

// ---------------------------------------------------------------- client child

function runClient(mode: Mode, port: number, caPem: string): void {
  let bytes = 0;
  let chunks = 0;
  let wakeups = 0;
  let pending: Buffer | undefined;
  let holding = false;
  const parseLines = (chunk: Buffer) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
      JSON.parse(buf.toString('utf8', 0, nl));
      buf = buf.subarray(nl + 1);
    }
    pending = buf.length > 0 ? buf : undefined;
  };
  const onResponse = (res: IncomingMessage) => {
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      chunks++;
      if (mode.parse) parseLines(chunk);
      // socket.pause() alone keeps reading until the stream's buffer is full: stop the handle itself.
      const handle = (res.socket as unknown as { _handle?: { readStop(): number; readStart(): number } })._handle;
      if (mode.holdMs > 0 && handle && !holding) {
        holding = true;
        handle.readStop();
        setTimeout(() => {
          holding = false;
          handle.readStart();
        }, mode.holdMs);
      }
    });
    process.send!({ connected: true });
  };
  if (mode.transport === 'https') httpsGet({ host: '127.0.0.1', port, path: '/watch', ca: caPem, agent: false }, onResponse);
  else if (mode.transport === 'http') httpGet({ host: '127.0.0.1', port, path: '/watch', agent: false }, onResponse);
  else process.nextTick(() => process.send!({ connected: true }));
  process.on('message', (msg: { cmd: string; seconds?: number }) => {
    if (msg.cmd === 'exit') process.exit(0);
    if (msg.cmd === 'timer') {
      const end = performance.now() + msg.seconds! * 1000;
      const period = Math.max(1, 1000 / mode.rate);
      const tick = () => {
        wakeups++;
        if (performance.now() < end) setTimeout(tick, period);
      };
      setTimeout(tick, period);
      return;
    }
    process.send!({ cpuUs: cpuUs(), lines: mode.transport === 'timer' ? wakeups : bytes / LINE.length, chunks, heapUsed: process.memoryUsage().heapUsed });
  });
}

// ---------------------------------------------------------------- orchestrator

class Child {
  readonly proc: ChildProcess;
  private readonly queue: Array<(msg: unknown) => void> = [];

  constructor(args: string[]) {
    this.proc = fork(new URL(import.meta.url), args, { stdio: 'inherit' });
    this.proc.on('message', (msg) => this.queue.shift()?.(msg));
  }

  next<T>(): Promise<T> {
    return new Promise<T>((resolve) => this.queue.push(resolve as (msg: unknown) => void));
  }

  async ask<T>(msg: object): Promise<T> {
    const reply = this.next<T>();
    this.proc.send(msg);
    return reply;
  }

  stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.send({ cmd: 'exit' });
    return exited;
  }
}

interface Sample {
  readonly cpuUs: number;
  readonly lines: number;
  readonly chunks: number;
}

interface RoundResult {
  readonly mode: string;
  readonly idleUsPerS: number;
  readonly perLineUs: number;
  readonly linesPerChunk: number;
  readonly lines: number;
}

async function measure(mode: Mode, seconds: number): Promise<RoundResult> {
  const server = mode.transport === 'timer' ? undefined : new Child(['--role', 'server', '--transport', mode.transport]);
  const where = server ? await server.next<{ port: number; caPem: string }>() : { port: 0, caPem: '' };
  const client = new Child(['--role', 'client', '--mode', mode.name, '--port', String(where.port), `--ca=${where.caPem}`]);
  try {
    await client.next();
    await sleep(1000); // past the TLS handshake and module loading
    const i0 = await client.ask<Sample>({ cmd: 'cpu' });
    const t0 = performance.now();
    await sleep(2000);
    const i1 = await client.ask<Sample>({ cmd: 'cpu' });
    const idleUsPerS = (i1.cpuUs - i0.cpuUs) / ((performance.now() - t0) / 1000);
    const p0 = performance.now();
    if (server) await server.ask({ cmd: 'start', rate: mode.rate, seconds });
    else {
      client.proc.send({ cmd: 'timer', seconds });
      await sleep(seconds * 1000);
    }
    await sleep(300); // the last lines in flight
    const s1 = await client.ask<Sample>({ cmd: 'cpu' });
    const elapsedS = (performance.now() - p0) / 1000;
    const lines = s1.lines - i1.lines;
    const cpu = s1.cpuUs - i1.cpuUs - idleUsPerS * elapsedS;
    return { mode: mode.name, idleUsPerS, perLineUs: cpu / lines, linesPerChunk: mode.transport === 'timer' ? 1 : lines / (s1.chunks - i1.chunks), lines };
  } finally {
    await client.stop();
    await server?.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'main' },
      transport: { type: 'string', default: 'https' },
      mode: { type: 'string', default: 'https-100' },
      port: { type: 'string', default: '0' },
      ca: { type: 'string', default: '' },
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '8' },
      modes: { type: 'string', default: 'https-100,http-100,https-1000,http-1000,timer-100,timer-1000,https-100+parse' },
    },
  });
  if (values.role === 'server') return runServer(values.transport as 'https' | 'http');
  if (values.role === 'client') return runClient(parseMode(values.mode), Number(values.port), values.ca);
  const facts = machineFacts();
  console.log(`bench:kube floor — ${LINE.length}-byte watch line; ${facts.nproc} cpus (${facts.cpuModel}), load ${facts.loadAverage}, node ${facts.node}`);
  const modes = values.modes.split(',').map(parseMode);
  const results: RoundResult[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const mode of modes) {
      const res = await measure(mode, Number(values.seconds));
      results.push(res);
      console.log(`round ${r + 1} ${mode.name.padEnd(16)} idle ${res.idleUsPerS.toFixed(0).padStart(5)} µs/s; ${res.perLineUs.toFixed(1).padStart(7)} µs CPU per line (${res.lines} lines, ${res.linesPerChunk.toFixed(2)} lines per chunk)`);
    }
  }
  console.log(`\nmedians over ${values.rounds} rounds (load now ${machineFacts().loadAverage}):`);
  console.log('| mode | CPU per event (µs, minus idle) | min–max | lines per data chunk | idle (µs CPU/s) |');
  console.log('|---|---|---|---|---|');
  for (const mode of modes) {
    const of = results.filter((r) => r.mode === mode.name);
    const per = of.map((r) => r.perLineUs);
    console.log(`| ${mode.name} | ${median(per).toFixed(0)} | ${Math.min(...per).toFixed(0)}–${Math.max(...per).toFixed(0)} | ${median(of.map((r) => r.linesPerChunk)).toFixed(2)} | ${median(of.map((r) => r.idleUsPerS)).toFixed(0)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
