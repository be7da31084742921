import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LineSplitter, openWatchStream, parseWatchEvent } from '../../../src/sources/kubernetes/watch-stream.js';
import { KubeApiError, statusCodeOf } from '../../../src/sources/kubernetes/transport.js';

function splitAll(chunks: Buffer[], max?: number): { lines: string[]; splitter: LineSplitter } {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l), max);
  for (const c of chunks) splitter.push(c);
  return { lines, splitter };
}

/** `text` cut into chunks at every given byte offset. */
function cut(text: string, offsets: number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const edges = [0, ...offsets, bytes.length];
  return edges.slice(1).map((end, i) => bytes.subarray(edges[i], end));
}

test('line splitter: lines split across chunks, also inside a multi-byte UTF-8 character, come out whole', () => {
  const text = '{"a":"héllo wörld"}\n{"b":"日本"}\n{"c":1}\n';
  const bytes = Buffer.from(text, 'utf8');
  const inE = bytes.indexOf(Buffer.from('é')) + 1; // between the two bytes of é
  const inJa = bytes.indexOf(Buffer.from('本')) + 2; // inside the three bytes of 本
  for (const offsets of [[inE], [inE, inJa], [1, 2, 3, inE, inJa, bytes.length - 1], [...Array(bytes.length - 1).keys()].map((i) => i + 1)]) {
    const { lines, splitter } = splitAll(cut(text, offsets));
    assert.deepEqual(lines, ['{"a":"héllo wörld"}', '{"b":"日本"}', '{"c":1}'], `cut at ${offsets.join(',')}`);
    assert.equal(splitter.hasPartialLine(), false);
  }
});

test('line splitter: an unfinished line waits for its newline; trailing whitespace is not a partial line', () => {
  const { lines, splitter } = splitAll([Buffer.from('{"a":1}\n{"b"'), Buffer.from(':2')]);
  assert.deepEqual(lines, ['{"a":1}']);
  assert.equal(splitter.hasPartialLine(), true);
  splitter.push(Buffer.from('}\n  '));
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}']);
  assert.equal(splitter.hasPartialLine(), false);
});

test('line splitter: a line over the bound is an error, whether or not its newline arrived', () => {
  assert.throws(() => splitAll([Buffer.from('x'.repeat(11) + '\n')], 10), /over 10 bytes/);
  assert.throws(() => splitAll([Buffer.from('x'.repeat(6)), Buffer.from('x'.repeat(6))], 10), /over 10 bytes \(12 so far\)/);
  assert.deepEqual(splitAll([Buffer.from('x'.repeat(10) + '\n' + 'y'.repeat(10) + '\n')], 10).lines, ['x'.repeat(10), 'y'.repeat(10)]);
});

test('watch events: parsed once; blank lines skipped; anything else is a clear error', () => {
  assert.deepEqual(parseWatchEvent('{"type":"ADDED","object":{"metadata":{"name":"a"}}}'), { type: 'ADDED', object: { metadata: { name: 'a' } } });
  assert.equal(parseWatchEvent('  \r'), null);
  assert.throws(() => parseWatchEvent('{"type":"ADDED",'), /watch event that is not JSON/);
  assert.throws(() => parseWatchEvent('{"object":{}}'), /without a string type and an object/);
  assert.throws(() => parseWatchEvent('{"type":"ADDED","object":[1]}'), /without a string type and an object/);
});

interface Seen {
  events: Array<[string, unknown]>;
  done: unknown[];
  ended: Promise<void>;
}

/** A plain-HTTP server answering every request with `serve`; a watch opened against it records what it gets. */
async function watchAgainst(serve: (req: IncomingMessage, res: ServerResponse) => void): Promise<Seen & { abort(): void; close(): Promise<void> }> {
  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/pods?watch=true`);
  const events: Array<[string, unknown]> = [];
  const done: unknown[] = [];
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const handle = openWatchStream(request, url, {}, (type, obj) => events.push([type, obj]), (err) => {
    done.push(err);
    markEnded();
  });
  return {
    events,
    done,
    ended,
    abort: () => handle.abort(),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const pause = () => new Promise((r) => setTimeout(r, 20));
const eventLine = (type: string, name: string) => JSON.stringify({ type, object: { metadata: { name, resourceVersion: '7' }, data: { v: 'ünïcode' } } }) + '\n';

test('watch stream: events written in odd pieces arrive whole and in order; a clean end is done(null), once', async () => {
  const text = eventLine('ADDED', 'a') + eventLine('MODIFIED', 'a') + eventLine('BOOKMARK', '') + eventLine('DELETED', 'a');
  const bytes = Buffer.from(text);
  const w = await watchAgainst(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let at = 0; at < bytes.length; at += 37) {
      res.write(bytes.subarray(at, Math.min(bytes.length, at + 37)));
      await pause();
    }
    res.end();
  });
  try {
    await w.ended;
    assert.deepEqual(w.events.map(([t]) => t), ['ADDED', 'MODIFIED', 'BOOKMARK', 'DELETED']);
    assert.deepEqual(w.events[0]![1], { metadata: { name: 'a', resourceVersion: '7' }, data: { v: 'ünïcode' } });
    await pause();
    assert.deepEqual(w.done, [null]);
  } finally {
    await w.close();
  }
});

test('watch stream: an ERROR event is delivered with its Status (the informer reads the 410 from it)', async () => {
  const status = { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 5 (9)' };
  const w = await watchAgainst((_req, res) => {
    res.writeHead(200);
    res.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
  });
  try {
    await w.ended;
    assert.deepEqual(w.events, [['ERROR', status]]);
    assert.equal(statusCodeOf(w.events[0]![1]), 410);
    assert.deepEqual(w.done, [null]);
  } finally {
    await w.close();
  }
});

test('watch stream: a refused watch ends with a KubeApiError carrying the status code and the Status message', async () => {
  const w = await watchAgainst((_req, res) => {
    res.writeHead(410, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'resourceVersion too old' }));
  });
  try {
    await w.ended;
    assert.equal(w.events.length, 0);
    assert.equal(w.done.length, 1);
    const err = w.done[0] as KubeApiError;
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.statusCode, 410);
    assert.equal(err.reason, 'Expired');
    assert.equal(err.message, 'resourceVersion too old');
  } finally {
    await w.close();
  }
});

test('watch stream: a connection reset mid-stream, a stream ending mid-event and a garbage line are errors', async () => {
  const cases: Array<[string, (res: ServerResponse) => void, RegExp | undefined]> = [
    ['reset', (res) => {
      res.writeHead(200);
      res.write(eventLine('ADDED', 'a'));
      setTimeout(() => res.socket?.destroy(), 20);
    }, undefined],
    ['mid-event', (res) => {
      res.writeHead(200);
      res.end(eventLine('ADDED', 'a') + '{"type":"MODIFIED","obj');
    }, /ended in the middle of an event/],
    ['garbage', (res) => {
      res.writeHead(200);
      res.write(eventLine('ADDED', 'a') + 'not json\n' + eventLine('ADDED', 'b'));
    }, /not JSON/],
  ];
  for (const [name, serve, message] of cases) {
    const w = await watchAgainst((_req, res) => serve(res));
    try {
      await w.ended;
      assert.deepEqual(w.events.map(([t]) => t), ['ADDED'], name);
      assert.equal(w.done.length, 1, name);
      assert.ok(w.done[0] instanceof Error, `${name}: ${String(w.done[0])}`);
      if (message) assert.match((w.done[0] as Error).message, message, name);
    } finally {
      await w.close();
    }
  }
});

test('watch stream: after abort no further event is delivered and done is called once, with null', async () => {
  let res: ServerResponse | undefined;
  const w = await watchAgainst((_req, r) => {
    res = r;
    r.writeHead(200);
    r.write(eventLine('ADDED', 'a'));
  });
  try {
    while (w.events.length === 0) await pause();
    w.abort();
    res?.write(eventLine('ADDED', 'b'));
    await pause();
    w.abort();
    assert.deepEqual(w.events.map(([, o]) => (o as { metadata: { name: string } }).metadata.name), ['a']);
    assert.deepEqual(w.done, [null]);
  } finally {
    await w.close();
  }
});
