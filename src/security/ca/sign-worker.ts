/**
 * A signing worker thread: holds the current signer (posted by the pool when it changes),
 * verifies CSRs and signs. Errors go back as { code, message } so the pool rebuilds a CaError.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSigner, type Signer, type SignerSpec } from './signer.js';
import type { TtlPolicy } from './ttl.js';
import { CaError, type SignRequest } from './types.js';
import { issueWorkloadCertificate } from './workload-cert.js';

export interface WorkerInit {
  readonly trustDomain: string;
  readonly ttlPolicy: TtlPolicy;
}

export type ToWorker =
  | { readonly type: 'signer'; readonly version: number; readonly spec: SignerSpec }
  | { readonly type: 'sign'; readonly id: number; readonly request: SignRequest; readonly nowMs: number };

export type FromWorker =
  | { readonly id: number; readonly ok: true; readonly chain: string[] }
  | { readonly id: number; readonly ok: false; readonly code: CaError['code']; readonly message: string };

const init = workerData as WorkerInit;
let signer: Signer | undefined;

parentPort?.on('message', (msg: ToWorker) => {
  if (msg.type === 'signer') {
    signer = loadSigner(msg.spec);
    return;
  }
  parentPort!.postMessage(handleSign(msg.id, msg.request, msg.nowMs));
});

function handleSign(id: number, request: SignRequest, nowMs: number): FromWorker {
  try {
    if (!signer) throw new CaError('Unavailable', 'signing worker has no signer yet');
    const chain = issueWorkloadCertificate({ signer, trustDomain: init.trustDomain, ttlPolicy: init.ttlPolicy, now: new Date(nowMs) }, request);
    return { id, ok: true, chain };
  } catch (err) {
    if (err instanceof CaError) return { id, ok: false, code: err.code, message: err.message };
    return { id, ok: false, code: 'Internal', message: `signing failed: ${(err as Error).message}` };
  }
}
