/**
 * A protobuf wire-format writer over one growable buffer. Nested messages reserve a single
 * length byte and are shifted only when their body turns out longer than 127 bytes, so there
 * is no size pre-pass and no per-field allocation (protobufjs's Writer keeps a linked list of
 * operations and copies everything again in finish()).
 */
export class ByteSink {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private pos = 0;
  private readonly starts: number[] = [];

  /** Starts a new message: the sink is reused, so finish() each one before the next. */
  reset(): void {
    this.pos = 0;
    this.starts.length = 0;
  }

  /** A copy of what was written since reset(). */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos));
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** An unsigned varint below 2^32 (tags, lengths, uint32, non-negative int32, enums). */
  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let v = value >>> 0;
    while (v > 127) {
      buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** int32/enum: negative values are sign-extended to ten bytes, as the wire format requires. */
  int32(value: number): void {
    if (value >= 0) this.uint32(value);
    else this.varint64(BigInt.asUintN(64, BigInt(value | 0)));
  }

  sint32(value: number): void {
    this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** A 64-bit varint from a non-negative safe integer, a negative number or a decimal string. */
  int64(value: number | string, signed: boolean): void {
    if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(value)) return this.safeVarint(value);
    const big = BigInt(value);
    this.varint64(signed ? BigInt.asUintN(64, big) : big < 0n ? BigInt.asUintN(64, big) : big);
  }

  sint64(value: number | string): void {
    const big = BigInt(value);
    this.varint64(BigInt.asUintN(64, (big << 1n) ^ (big >> 63n)));
  }

  private safeVarint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 127) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  private varint64(value: bigint): void {
    this.ensure(10);
    let v = value;
    while (v > 127n) {
      this.buf[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  float(value: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
  }

  fixed32(value: number, signed: boolean): void {
    this.ensure(4);
    if (signed) this.view.setInt32(this.pos, value, true);
    else this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  fixed64(value: number | string, signed: boolean): void {
    this.ensure(8);
    const big = BigInt(value);
    this.view.setBigUint64(this.pos, signed ? BigInt.asUintN(64, big) : big, true);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): void {
    const n = value.length;
    if (n < 64 && this.asciiInline(value)) return;
    this.fork();
    this.ensure(n * 3);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    this.ldelim();
  }

  /** A short string copied in one pass; false (nothing written) at its first non-ASCII character. */
  private asciiInline(value: string): boolean {
    const n = value.length;
    this.ensure(n + 1);
    const buf = this.buf;
    const start = this.pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 127) return false;
      buf[start + 1 + i] = c;
    }
    buf[start] = n;
    this.pos = start + 1 + n;
    return true;
  }

  /** Length-delimited bytes (a Uint8Array, or base64 text as JSON carries bytes). */
  bytes(value: Uint8Array | string): void {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    this.uint32(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Appends bytes as they are (an already-encoded message body). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Where the next byte goes. */
  get position(): number {
    return this.pos;
  }

  /** A copy of the bytes from `start` to the current position. */
  copySince(start: number): Uint8Array {
    return new Uint8Array(this.buf.subarray(start, this.pos));
  }

  /** Opens a length-delimited field: one byte is reserved for the length. */
  fork(): void {
    this.ensure(1);
    this.starts.push(this.pos);
    this.pos += 1;
  }

  /** Closes the innermost fork, writing its length (shifting the body if it needs more than one byte). */
  ldelim(): void {
    const start = this.starts.pop()!;
    const length = this.pos - start - 1;
    if (length < 128) {
      this.buf[start] = length;
      return;
    }
    const size = varintSize(length);
    this.ensure(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = start;
    while (v > 127) {
      this.buf[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[at] = v;
  }
}


function varintSize(v: number): number {
  return v < 1 << 7 ? 1 : v < 1 << 14 ? 2 : v < 1 << 21 ? 3 : v < 1 << 28 ? 4 : 5;
}
