/**
 * An xDS-enabled gRPC echo server as its own process, configured the way a proxyless workload
 * is: the bootstrap comes from GRPC_XDS_BOOTSTRAP (the file `istiod-ts agent` wrote) and
 * XdsServerCredentials take the listener's security (mTLS or plaintext) from the control plane.
 * Usage: node echo-server-main.js <ip:port> <name>. Prints one JSON line per event on stdout:
 * {event:"serving"} once bound, {event:"call", peer} per call (peer = the client certificate's
 * URI SAN, "" in plaintext). Exits on SIGTERM.
 */
import * as grpc from '@grpc/grpc-js';
import { XdsServer, XdsServerCredentials } from '@grpc/grpc-js-xds';
import { echoService, type EchoRequestMsg, type EchoResponseMsg } from '../../helpers/grpc-echo.js';

const [address, name] = process.argv.slice(2);
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

function peerUri(call: grpc.ServerUnaryCall<EchoRequestMsg, EchoResponseMsg>): string {
  return (call.getAuthContext().sslPeerCertificate?.subjectaltname ?? '').replace(/^URI:/, '');
}

const server = new XdsServer();
server.addService(echoService, {
  Echo(call: grpc.ServerUnaryCall<EchoRequestMsg, EchoResponseMsg>, callback: grpc.sendUnaryData<EchoResponseMsg>) {
    emit({ event: 'call', peer: peerUri(call) });
    callback(null, { message: call.request.message, backend: name ?? 'echo' });
  },
});
server.bindAsync(address ?? '', new XdsServerCredentials(grpc.ServerCredentials.createInsecure()), (err) => {
  if (err) {
    emit({ event: 'error', message: err.message });
    process.exit(1);
  }
  emit({ event: 'serving' });
});
process.once('SIGTERM', () => {
  server.forceShutdown();
  process.exit(0);
});
