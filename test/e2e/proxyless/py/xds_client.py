"""A proxyless gRPC client on gRPC C-core (Debian's python3-grpcio), for the end-to-end tests.

Usage: GRPC_XDS_BOOTSTRAP=<file> /usr/bin/python3 xds_client.py <target> '<plan JSON>'
The plan is a list of phases, {"name": str, "count": int, "headers": {str: str}}; each phase
makes `count` unary calls to istiodts.test.Echo/Echo with those headers as metadata. Prints
one JSON object: {phase name: {backend name or "!<STATUS CODE>": calls}}, after one warm-up
call; if that fails, prints {"error", "details"} and exits with 2.
Messages are hand-encoded (no generated stubs): EchoRequest{message=1}, EchoResponse{message=1,
backend=2}, both strings.
"""
import json
import sys

import grpc

METHOD = "/istiodts.test.Echo/Echo"


def varint(n):
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def encode_request(message):
    raw = message.encode("utf-8")
    return b"\x0a" + varint(len(raw)) + raw


def read_varint(buf, pos):
    shift = value = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def decode_backend(buf):
    """Field 2 (backend) of an EchoResponse; other fields skipped (all length-delimited)."""
    pos = 0
    backend = ""
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        length, pos = read_varint(buf, pos)
        if key == (2 << 3 | 2):
            backend = buf[pos:pos + length].decode("utf-8")
        pos += length
    return backend


def run_phase(echo, phase):
    counts = {}
    metadata = tuple((k, v) for k, v in phase.get("headers", {}).items())
    for _ in range(phase["count"]):
        try:
            key = decode_backend(echo(encode_request("hi"), metadata=metadata, timeout=5, wait_for_ready=True))
        except grpc.RpcError as err:
            key = "!" + err.code().name
        counts[key] = counts.get(key, 0) + 1
    return counts


def main():
    target, plan = sys.argv[1], json.loads(sys.argv[2])
    with grpc.insecure_channel(target) as channel:
        # No channel_ready_future: a ring-hash channel stays IDLE until a call picks. The calls
        # wait for the channel to be ready instead (wait_for_ready, with a deadline).
        echo = channel.unary_unary(METHOD)
        try:
            echo(encode_request("warm-up"), timeout=10, wait_for_ready=True)
        except grpc.RpcError as err:
            # Fail fast (C-core logs why, e.g. a NACK, on stderr) rather than time out every call.
            print(json.dumps({"error": err.code().name, "details": err.details()}))
            sys.exit(2)
        result = {phase["name"]: run_phase(echo, phase) for phase in plan}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
