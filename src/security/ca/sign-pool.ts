/**
 * Signing off the event loop: a small pool of worker threads that verify CSRs and sign, with a
 * bounded queue (full → Unavailable, so a CSR storm sheds load instead of growing memory).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MAX_CSR_PEM_BYTES } from './csr.js';
import type { FromWorker, ToWorker, WorkerInit } from './sign-worker.js';
import type { Signer } from './signer.js';
import type { SigningBackend } from './signing-backend.js';
import type { TtlPolicy } from './ttl.js';
import { CaError, type SignRequest } from './types.js';

export interface SignPoolOptions {
  readonly trustDomain: string;
  readonly ttlPolicy: TtlPolicy;
  /** Worker threads; default: the number of CPUs. */
  readonly size?: number;
  /** Requests waiting for a worker beyond which new ones are refused; default 1024. */
  readonly maxQueue?: number;
}

const MAX_FAILED_STARTS = 3;

interface Job {
  readonly signer: Signer;
  readonly request: SignRequest;
  readonly nowMs: number;
  readonly resolve: (chain: string[]) => void;
  readonly reject: (err: CaError) => void;
}

interface Slot {
  worker: Worker;
  online: boolean;
  signerVersion: number;
  job?: Job & { id: number };
}

export function createSignPool(opts: SignPoolOptions): SigningBackend {
  const size = Math.max(1, opts.size ?? availableParallelism());
  const maxQueue = opts.maxQueue ?? 1024;
  const versions = new WeakMap<Signer, number>();
  let nextVersion = 1;
  let nextId = 1;
  let closed = false;
  let failedStarts = 0;
  const queue: Job[] = [];
  const slots: Slot[] = [];

  const versionOf = (signer: Signer): number => {
    let v = versions.get(signer);
    if (v === undefined) versions.set(signer, (v = nextVersion++));
    return v;
  };

  function spawn(): Slot {
    const init: WorkerInit = { trustDomain: opts.trustDomain, ttlPolicy: opts.ttlPolicy };
    const slot: Slot = { worker: new Worker(new URL('./sign-worker.js', import.meta.url), { workerData: init }), signerVersion: 0, online: false };
    slot.worker.unref();
    slot.worker.once('online', () => (slot.online = true));
    slot.worker.on('message', (msg: FromWorker) => finish(slot, msg));
    slot.worker.on('error', (err) => replace(slot, `signing worker failed: ${err.message}`));
    slot.worker.on('exit', (code) => replace(slot, `signing worker exited with code ${code}`));
    return slot;
  }

  function finish(slot: Slot, msg: FromWorker): void {
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    slot.job = undefined;
    slot.worker.unref();
    if (msg.ok) job.resolve(msg.chain);
    else job.reject(new CaError(msg.code, msg.message));
    pump();
  }

  /** A crashed worker fails its job (Internal) and is replaced; the others carry on. */
  function replace(slot: Slot, reason: string): void {
    const index = slots.indexOf(slot);
    if (index < 0) return;
    slot.job?.reject(new CaError('Internal', reason));
    slot.job = undefined;
    if (closed) return;
    // A worker that dies before starting (missing file, bad build) would die again: stop retrying.
    if (!slot.online && ++failedStarts > MAX_FAILED_STARTS) {
      slots.splice(index, 1);
      if (slots.length === 0) for (const job of queue.splice(0)) job.reject(new CaError('Internal', reason));
      return;
    }
    slots[index] = spawn();
    pump();
  }

  function pump(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.job) continue;
      const job = queue.shift()!;
      const version = versionOf(job.signer);
      if (slot.signerVersion !== version) {
        post(slot, { type: 'signer', version, spec: job.signer.spec });
        slot.signerVersion = version;
      }
      slot.job = { ...job, id: nextId++ };
      post(slot, { type: 'sign', id: slot.job.id, request: plain(job.request), nowMs: job.nowMs });
      slot.worker.ref();
    }
  }

  function post(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    sign(signer, request, now) {
      if (closed) return Promise.reject(new CaError('Unavailable', 'the CA is shut down'));
      if (typeof request.csrPem !== 'string' || request.csrPem.length > MAX_CSR_PEM_BYTES) {
        return Promise.reject(new CaError('InvalidArgument', `csr: missing or above the ${MAX_CSR_PEM_BYTES}-byte limit`));
      }
      if (slots.length === 0) return Promise.reject(new CaError('Internal', 'no signing worker could be started'));
      if (queue.length >= maxQueue) return Promise.reject(new CaError('Unavailable', `signing queue is full (${maxQueue} waiting); retry later`));
      return new Promise<string[]>((resolve, reject) => {
        queue.push({ signer, request, nowMs: now.getTime(), resolve, reject });
        pump();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const shutDown = new CaError('Unavailable', 'the CA is shut down');
      for (const job of queue.splice(0)) job.reject(shutDown);
      for (const slot of slots) slot.job?.reject(shutDown);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** Only the fields the worker needs, as plain data (a caller's object may not be cloneable). */
function plain(r: SignRequest): SignRequest {
  return {
    csrPem: r.csrPem,
    identity: { namespace: String(r.identity.namespace), serviceAccount: String(r.identity.serviceAccount) },
    requestedTtlSeconds: Number(r.requestedTtlSeconds),
  };
}
