/**
 * A minimal DER writer for the certificate hot path: only the handful of universal types a leaf
 * certificate needs, every value built from bytes the caller already has. Lengths are always
 * the shortest (definite) form, as DER requires.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
} as const;

/** The DER length octets for `n` content bytes. */
export function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** tag ‖ length ‖ content, the content being the concatenation of `parts`. */
export function derTlv(tag: number, ...parts: readonly Uint8Array[]): Buffer {
  const content = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

export function derSequence(...parts: readonly Uint8Array[]): Buffer {
  return derTlv(TAG.SEQUENCE, ...parts);
}

/** An INTEGER from big-endian unsigned bytes (a leading zero is added when the top bit is set). */
export function derUnsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  if (trimmed.length === 0) return derTlv(TAG.INTEGER, Buffer.from([0]));
  return (trimmed[0]! & 0x80) !== 0 ? derTlv(TAG.INTEGER, Buffer.from([0]), trimmed) : derTlv(TAG.INTEGER, trimmed);
}

/** A BIT STRING holding whole bytes (no unused bits). */
export function derBitString(bytes: Uint8Array): Buffer {
  return derTlv(TAG.BIT_STRING, Buffer.from([0]), bytes);
}

export function derOctetString(bytes: Uint8Array): Buffer {
  return derTlv(TAG.OCTET_STRING, bytes);
}

export function derBoolean(value: boolean): Buffer {
  return Buffer.from([TAG.BOOLEAN, 1, value ? 0xff : 0x00]);
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`invalid OID ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! > 39n)) throw new Error(`invalid OID ${dotted}`);
  const body: number[] = [];
  for (const arc of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
    const groups = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) groups.unshift(Number(rest & 0x7fn) | 0x80);
    body.push(...groups);
  }
  return derTlv(TAG.OID, Buffer.from(body));
}

/**
 * An X.509 Time (RFC 5280 §4.1.2.5): UTCTime for 1950–2049, GeneralizedTime otherwise, whole
 * seconds, always "Z".
 */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const rest = [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join('');
  if (year >= 1950 && year <= 2049) return derTlv(TAG.UTC_TIME, Buffer.from(`${String(year % 100).padStart(2, '0')}${rest}Z`, 'latin1'));
  return derTlv(TAG.GENERALIZED_TIME, Buffer.from(`${String(year).padStart(4, '0')}${rest}Z`, 'latin1'));
}

/** A context-specific primitive [n] IMPLICIT string (GeneralName dNSName = 2, URI = 6), one byte per character. */
export function derContextString(tagNumber: number, value: string): Buffer {
  return derTlv(0x80 | tagNumber, Buffer.from(value, 'latin1'));
}
