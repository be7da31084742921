/**
 * One Echo call from a proxyless gRPC client process, as a workload makes it: the bootstrap comes
 * from GRPC_XDS_BOOTSTRAP (the file `istiod-ts agent` wrote), XdsChannelCredentials apply the
 * cluster's mTLS. Usage: node xds-call-main.js <target>. Prints the outcome as one JSON line.
 */
import * as grpc from '@grpc/grpc-js';
import { XdsChannelCredentials } from '@grpc/grpc-js-xds';
import { echoService, ECHO_METHOD, type EchoResponseMsg } from '../../helpers/grpc-echo.js';

const target = process.argv[2] ?? '';
const client = new grpc.Client(target, new XdsChannelCredentials(grpc.credentials.createInsecure()));
const { requestSerialize, responseDeserialize } = echoService.Echo!;
client.makeUnaryRequest(ECHO_METHOD, requestSerialize, responseDeserialize, { message: 'hi' }, new grpc.Metadata(),
  { deadline: Date.now() + 20_000 }, (err, res: EchoResponseMsg | undefined) => {
    process.stdout.write(`${JSON.stringify(err ? { ok: false, code: err.code, details: err.details } : { ok: true, backend: res!.backend })}\n`);
    client.close();
    process.exit(0);
  });
