/**
 * PEM text ↔ DER bytes. Strict: only well-formed blocks of the expected type are accepted, so a
 * garbage or mislabelled upload fails with a reason instead of reaching the ASN.1 parser.
 */

export interface PemBlock {
  readonly type: string;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END ([A-Z0-9 ]+)-----/g;

/** Every PEM block in `text`, in order. Text between blocks (comments) is ignored. */
export function decodePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [, begin, body, end] = m;
    if (begin !== end) throw new Error(`PEM block BEGIN ${begin} does not match END ${end}`);
    const der = Buffer.from(body!.replace(/\s+/g, ''), 'base64');
    if (der.length === 0) throw new Error(`PEM block ${begin} is empty`);
    blocks.push({ type: begin!, der });
  }
  return blocks;
}

/** Exactly one block of type `type` (e.g. 'CERTIFICATE REQUEST'); anything else is an error. */
export function decodeSinglePem(text: string, type: string): Buffer {
  const blocks = decodePemBlocks(text);
  if (blocks.length === 0) throw new Error(`no PEM block found (expected ${type})`);
  if (blocks.length > 1) throw new Error(`expected one PEM block, found ${blocks.length}`);
  const block = blocks[0]!;
  if (block.type !== type) throw new Error(`PEM block is ${block.type}, expected ${type}`);
  return block.der;
}

/** All CERTIFICATE blocks of a bundle; any other block type is an error. */
export function decodeCertificates(text: string): Buffer[] {
  const blocks = decodePemBlocks(text);
  for (const b of blocks) if (b.type !== 'CERTIFICATE') throw new Error(`unexpected PEM block ${b.type} in a certificate bundle`);
  return blocks.map((b) => b.der);
}

export function encodePem(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
