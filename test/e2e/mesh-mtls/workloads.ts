/**
 * The data-plane half of the mesh mTLS test: the echo XdsServer and the xDS client as their own
 * processes reading GRPC_XDS_BOOTSTRAP (echo-server-main.ts, xds-call-main.ts), and in-process
 * variant clients (another CA's certificate, no xDS security, no xDS at all).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { XdsChannelCredentials } from '@grpc/grpc-js-xds';
import { echoService, ECHO_METHOD, type EchoResponseMsg } from '../../helpers/grpc-echo.js';
import { waitFor } from '../../helpers/wait-for.js';

const HERE = resolve('dist/test/e2e/mesh-mtls');
const XDS_BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

export type Outcome = { ok: true; backend: string } | { ok: false; code: grpc.status; details: string };

export interface EchoServerProcess {
  /** The client identity (URI SAN, "" in plaintext) of every call served so far. */
  readonly peers: string[];
  stop(): Promise<void>;
}

/** The echo XdsServer process on `address`; resolves once the control plane let it serve. */
export async function startEchoServer(address: string, name: string, bootstrapFile: string): Promise<EchoServerProcess> {
  const proc: ChildProcess = spawn(process.execPath, [resolve(HERE, 'echo-server-main.js'), address, name], {
    env: { PATH: process.env.PATH ?? '', GRPC_XDS_BOOTSTRAP: bootstrapFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const peers: string[] = [];
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    const parts = (buffered + chunk.toString()).split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts.filter((s) => s.trim())) {
      const event = JSON.parse(p) as Record<string, unknown>;
      events.push(event);
      if (event.event === 'call') peers.push(String(event.peer));
    }
  });
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(`XdsServer ${name} to serve (stderr: ${stderr})`, () => {
      if (proc.exitCode !== null) throw new Error(`XdsServer exited with ${proc.exitCode}: ${JSON.stringify(events)} ${stderr}`);
      const failed = events.find((e) => e.event === 'error');
      if (failed) throw new Error(`XdsServer failed: ${String(failed.message)}`);
      return events.some((e) => e.event === 'serving');
    }, 30_000, 50);
  } catch (err) {
    await stop();
    throw err;
  }
  return { peers, stop };
}

/** One call from a client process whose bootstrap is GRPC_XDS_BOOTSTRAP=`bootstrapFile`. */
export function callFromProcess(target: string, bootstrapFile: string): Promise<Outcome> {
  const env = { PATH: process.env.PATH ?? '', GRPC_XDS_BOOTSTRAP: bootstrapFile };
  return new Promise((done, fail) => {
    execFile(process.execPath, [resolve(HERE, 'xds-call-main.js'), target], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`client process failed: ${err.message} ${stderr.slice(-2000)}`));
      try {
        done(JSON.parse(stdout) as Outcome);
      } catch {
        fail(new Error(`client process printed no outcome: ${stdout.slice(0, 300)} ${stderr.slice(-2000)}`));
      }
    });
  });
}

export interface InProcessCall {
  /** The xDS bootstrap (as an object); none = a plain channel to `target`. */
  readonly bootstrap?: object;
  /** XdsChannelCredentials (apply the cluster's TLS) or plain insecure credentials. */
  readonly xdsCredentials: boolean;
}

/**
 * One call on a fresh channel with its own xDS client and subchannel pool (nothing is reused
 * from an earlier call's connection or configuration), closed afterwards.
 */
export function callInProcess(target: string, opts: InProcessCall): Promise<Outcome> {
  const insecure = grpc.credentials.createInsecure();
  const creds = opts.xdsCredentials ? new XdsChannelCredentials(insecure) : insecure;
  const options: grpc.ChannelOptions = { 'grpc.use_local_subchannel_pool': 1, ...(opts.bootstrap ? { [XDS_BOOTSTRAP_OPTION]: JSON.stringify(opts.bootstrap) } : {}) };
  const client = new grpc.Client(target, creds, options);
  const { requestSerialize, responseDeserialize } = echoService.Echo!;
  return new Promise((done) => {
    client.makeUnaryRequest(ECHO_METHOD, requestSerialize, responseDeserialize, { message: 'hi' }, new grpc.Metadata(),
      { deadline: Date.now() + 10_000 }, (err, res: EchoResponseMsg | undefined) => {
        client.close();
        done(err ? { ok: false, code: err.code, details: err.details } : { ok: true, backend: res!.backend });
      });
  });
}
