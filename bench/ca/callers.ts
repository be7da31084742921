/**
 * The CSR callers of `npm run bench:ca`, in their own process (forked by run.ts) so that their
 * TLS and protobuf work never shares the CA server's event loop, as real workloads would not.
 * Each caller has its own HTTP/2 connection (a private subchannel pool) and sends requests back
 * to back until the batch's total is reached. Times are epoch ms.
 */
import * as grpc from '@grpc/grpc-js';
import { caServiceDefinition, type IstioCertificateRequest, type IstioCertificateResponse } from '../../src/serve/ca-proto.js';

export type ToCallers =
  | { cmd: 'connect'; address: string; serverCertPem: string; serverName: string; token: string; concurrency: number }
  | { cmd: 'batch'; id: number; csrs: string[]; total: number };

export interface BatchResult {
  readonly id: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly ok: number;
  readonly failed: number;
  readonly firstError?: string;
}

export type FromCallers = { ev: 'ready' } | { ev: 'connected' } | ({ ev: 'done' } & BatchResult);

type Call = (r: IstioCertificateRequest, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: IstioCertificateResponse) => void) => void;

const now = (): number => performance.timeOrigin + performance.now();
let callers: Call[] = [];
let metadata = new grpc.Metadata();

function connect(msg: Extract<ToCallers, { cmd: 'connect' }>): void {
  const Client = grpc.makeGenericClientConstructor(caServiceDefinition(), 'IstioCertificateService');
  metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${msg.token}`);
  callers = Array.from({ length: msg.concurrency }, () => {
    const client = new Client(msg.address, grpc.credentials.createSsl(Buffer.from(msg.serverCertPem)), {
      'grpc.ssl_target_name_override': msg.serverName,
      'grpc.use_local_subchannel_pool': 1,
    });
    return (client as unknown as { CreateCertificate: Call }).CreateCertificate.bind(client);
  });
}

async function batch(msg: Extract<ToCallers, { cmd: 'batch' }>): Promise<BatchResult> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const startedAt = now();
  const loop = async (call: Call) => {
    while (next < msg.total) {
      const csr = msg.csrs[next++ % msg.csrs.length]!;
      const error = await new Promise<grpc.ServiceError | null>((resolve) => call({ csr, validity_duration: 3600 }, metadata, (e) => resolve(e)));
      if (error) {
        failed++;
        firstError ??= `${grpc.status[error.code]}: ${error.details}`;
      } else ok++;
    }
  };
  await Promise.all(callers.map(loop));
  return { id: msg.id, startedAt, finishedAt: now(), ok, failed, ...(firstError ? { firstError } : {}) };
}

process.on('message', (raw) => {
  const msg = raw as ToCallers;
  if (msg.cmd === 'connect') {
    connect(msg);
    process.send!({ ev: 'connected' } satisfies FromCallers);
  } else {
    void batch(msg).then((result) => process.send!({ ev: 'done', ...result } satisfies FromCallers));
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ev: 'ready' } satisfies FromCallers);
