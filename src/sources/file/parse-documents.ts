/**
 * Turns one manifest file's text into raw documents, each with its index in the file.
 * Bounded: per-document size, YAML alias expansion (alias bombs), and `kind: List` items are
 * expanded the way kubectl does. Never throws; problems come back as values naming the index.
 */
import { isMap, isScalar, parseAllDocuments, Scalar, visit, type Document } from 'yaml';

export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;
/** yaml's own guard against billion-laughs documents; real manifests use a handful of aliases. */
const MAX_ALIAS_COUNT = 100;

export interface RawDocument {
  /** Index of the YAML document in the file (0-based); List items get `<doc>.<item>`. */
  readonly index: string;
  readonly value: unknown;
}

export interface DocumentProblem {
  readonly index: string;
  readonly message: string;
}

export interface ParsedFile {
  readonly documents: RawDocument[];
  readonly problems: DocumentProblem[];
}

function isEmptyDocument(value: unknown): boolean {
  return value === null || value === undefined;
}

function expandList(index: string, value: unknown): RawDocument[] {
  const v = value as { kind?: unknown; items?: unknown };
  if (typeof v === 'object' && v !== null && v.kind === 'List' && Array.isArray(v.items)) {
    return v.items.map((item, i) => ({ index: `${index}.${i}`, value: item }));
  }
  return [{ index, value }];
}

/**
 * Kubernetes reads manifests with Go's YAML parser, which takes `[1.2.3.4, 2001:db8::]` as two
 * strings; YAML 1.2 (and the yaml package) reads the second as a map `{"2001:db8:": null}`.
 * Match Kubernetes: a flow-sequence item `plain:` directly followed by `,` `]` or `}` is a string.
 */
function readFlowColonScalarsLikeKubernetes(doc: Document, text: string): void {
  visit(doc, {
    Seq(_, seq) {
      if (!seq.flow) return;
      seq.items = seq.items.map((item) => {
        if (!isMap(item) || item.items.length !== 1) return item;
        const pair = item.items[0]!;
        if (!isScalar(pair.key) || pair.key.type !== Scalar.PLAIN || !pair.key.range) return item;
        if (!isScalar(pair.value) || pair.value.source !== '' || pair.value.value !== null) return item;
        const end = pair.key.range[1];
        if (text[end] !== ':' || !',]}'.includes(text[end + 1] ?? '')) return item;
        return new Scalar(`${pair.key.source}:`);
      });
    },
  });
}

export function parseDocuments(text: string): ParsedFile {
  const documents: RawDocument[] = [];
  const problems: DocumentProblem[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return { documents, problems: [{ index: '0', message: `cannot parse: ${(err as Error).message}` }] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const index = String(i);
    const size = (doc.range?.[2] ?? 0) - (doc.range?.[0] ?? 0);
    if (size > MAX_DOCUMENT_BYTES) {
      problems.push({ index, message: `document is ${size} bytes, over the ${MAX_DOCUMENT_BYTES}-byte limit for one object` });
      return;
    }
    if (doc.errors.length > 0) {
      problems.push({ index, message: `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` });
      return;
    }
    try {
      readFlowColonScalarsLikeKubernetes(doc, text);
      const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      if (!isEmptyDocument(value)) documents.push(...expandList(index, value));
    } catch (err) {
      problems.push({ index, message: `cannot load YAML: ${(err as Error).message.split('\n')[0]}` });
    }
  });
  return { documents, problems };
}
