"""One Echo call from gRPC C-core (Debian's python3-grpcio) over xDS credentials.

Usage: GRPC_XDS_BOOTSTRAP=<file> /usr/bin/python3 mtls_client.py <target>
The bootstrap's certificate_providers give the client its certificate (file_watcher). Prints
{"backend": name} or {"error": STATUS, "details": text}. Messages are hand-encoded:
EchoRequest{message=1}, EchoResponse{message=1, backend=2}, all short strings.
"""
import json
import sys

import grpc
import grpc.experimental

METHOD = "/istiodts.test.Echo/Echo"


def backend_of(buf):
    pos, out = 0, ""
    while pos < len(buf):
        key, length = buf[pos], buf[pos + 1]
        if key == 0x12:
            out = buf[pos + 2:pos + 2 + length].decode("utf-8")
        pos += 2 + length
    return out


def main():
    creds = grpc.xds_channel_credentials(grpc.experimental.insecure_channel_credentials())
    with grpc.secure_channel(sys.argv[1], creds) as channel:
        echo = channel.unary_unary(METHOD)
        try:
            reply = echo(b"\x0a\x02hi", timeout=10, wait_for_ready=False)
            print(json.dumps({"backend": backend_of(reply)}))
        except grpc.RpcError as err:
            print(json.dumps({"error": err.code().name, "details": err.details()}))


if __name__ == "__main__":
    main()
