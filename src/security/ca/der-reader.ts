/**
 * A strict DER reader for the CSR hot path. It accepts only the distinguished encoding
 * (low tag numbers, definite and shortest lengths) and answers `undefined` for anything else,
 * so callers can hand unusual input to the general ASN.1 parser instead of guessing.
 */

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

const MAX_LENGTH_OCTETS = 4;

/** The TLV at `offset`, which must end by `limit`; undefined when not strict DER. */
export function readTlv(buf: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) return undefined;
  const first = buf[offset + 1]!;
  let length = first;
  let contentStart = offset + 2;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > MAX_LENGTH_OCTETS || contentStart + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[contentStart + i]!;
    if (buf[contentStart] === 0 || length < 0x80) return undefined;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) return undefined;
  return { tag, start: offset, contentStart, end };
}

/** The TLVs that exactly fill `parent`'s content; undefined when not strict DER. */
export function readChildren(buf: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = readTlv(buf, at, parent.end);
    if (!child) return undefined;
    out.push(child);
    at = child.end;
  }
  return out;
}

/** True when `tlv` and, for constructed values, everything inside it is strict DER. */
export function isWellFormed(buf: Uint8Array, tlv: Tlv, depth = 0): boolean {
  if ((tlv.tag & 0x20) === 0) return true;
  if (depth > 32) return false;
  const kids = readChildren(buf, tlv);
  return kids !== undefined && kids.every((k) => isWellFormed(buf, k, depth + 1));
}

/** The content of a strict DER INTEGER, or undefined when the encoding is not minimal. */
export function integerContent(buf: Uint8Array, tlv: Tlv): Uint8Array | undefined {
  if (tlv.tag !== 0x02 || tlv.end === tlv.contentStart) return undefined;
  const c = buf.subarray(tlv.contentStart, tlv.end);
  if (c.length > 1 && ((c[0] === 0 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) return undefined;
  return c;
}

/** The dotted form of an OBJECT IDENTIFIER, or undefined when malformed. */
export function decodeOid(buf: Uint8Array, tlv: Tlv): string | undefined {
  if (tlv.tag !== 0x06 || tlv.end === tlv.contentStart) return undefined;
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = tlv.contentStart; i < tlv.end; i++) {
    const byte = buf[i]!;
    if (fresh && byte === 0x80) return undefined;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) return undefined;
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0;
    }
  }
  if (!fresh) return undefined;
  const head = arcs[0]!;
  const [a, b] = head < 40 ? [0, head] : head < 80 ? [1, head - 40] : [2, head - 80];
  return [a, b, ...arcs.slice(1)].join('.');
}
