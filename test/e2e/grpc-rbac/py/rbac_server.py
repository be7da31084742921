"""An xDS-enabled gRPC C-core server (Debian's python3-grpcio) answering Echo and Ping.

Usage: GRPC_XDS_BOOTSTRAP_CONFIG=<json> /usr/bin/python3 rbac_server.py <ip:port> <name>
Its listener, mTLS and RBAC filters (gRFC A41; on by default in C-core) come from the control
plane. Replies EchoResponse{message=1, backend=2} hand-encoded; prints "started" once started,
then runs until killed.
"""
import sys
import time
from concurrent import futures

import grpc


def main():
    address, name = sys.argv[1], sys.argv[2]
    reply = b"\x0a\x02hi" + b"\x12" + bytes([len(name)]) + name.encode("utf-8")

    def answer(_request, _context):
        return reply

    handler = grpc.method_handlers_generic_handler("istiodts.test.Echo", {
        "Echo": grpc.unary_unary_rpc_method_handler(answer),
        "Ping": grpc.unary_unary_rpc_method_handler(answer),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), xds=True)
    server.add_generic_rpc_handlers((handler,))
    server.add_secure_port(address, grpc.xds_server_credentials(grpc.insecure_server_credentials()))
    server.start()
    print("started", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
