/**
 * The state of a config directory: which objects each file provides, with "last good version"
 * semantics. Applying a file's new text yields the upserts and removals for the store; a bad
 * document is reported and, if that object had a good version before, the old one stays.
 * No I/O here: the watcher (file-source.ts) reads files and feeds text in.
 */
import type { ConfigObject, ObjectRef } from '../../model/config.js';
import { objectKey } from '../../model/config.js';
import { ErrorCodes, type ErrorCode } from '../../lib/errors.js';
import { renderIssue } from '../../lib/issue.js';
import type { Validator } from '../../model/validation/validate.js';
import { parseDocuments } from './parse-documents.js';

export interface ConfigSink {
  upsert(obj: ConfigObject): void;
  remove(ref: ObjectRef): void;
}

export interface DocumentReport {
  readonly file: string;
  readonly index: string;
  readonly code: ErrorCode;
  /** kind/namespace/name when the document got that far. */
  readonly object?: string;
  readonly errors: string[];
  readonly warnings: string[];
  /** True when an earlier good version of this object is still in force. */
  readonly keptLastGood: boolean;
}

interface FileEntry {
  text: string;
  objects: Map<string, ConfigObject>;
  reports: DocumentReport[];
  /** Set when a document lost a key to another file: re-apply when that file changes. */
  conflicted: boolean;
}

export class ConfigFiles {
  private readonly files = new Map<string, FileEntry>();
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly validator: Validator,
    private readonly sink: ConfigSink,
  ) {}

  /** Problems of every file, sorted by file and document index. */
  reports(): DocumentReport[] {
    return [...this.files.keys()].sort().flatMap((f) => this.files.get(f)!.reports);
  }

  knownFiles(): string[] {
    return [...this.files.keys()];
  }

  objectCount(): number {
    return this.owners.size;
  }

  /** (Re)loads one file from its text. Returns the reports for that file. */
  applyFile(file: string, text: string): DocumentReport[] {
    const previous = this.files.get(file);
    const next: FileEntry = { text, objects: new Map(), reports: [], conflicted: false };
    const parsed = parseDocuments(text);
    for (const p of parsed.problems) next.reports.push(report(file, p.index, ErrorCodes.FILE_PARSE, [p.message], [], undefined, false));
    for (const doc of parsed.documents) this.applyDocument(file, doc.index, doc.value, previous, next);
    if (parsed.problems.length > 0 && previous) this.keepUnclaimed(previous, next);
    this.commit(file, previous, next);
    return next.reports;
  }

  /** Reports a file that could not be read at all; its previous objects stay in force. */
  failFile(file: string, code: ErrorCode, message: string): void {
    const previous = this.files.get(file);
    const next: FileEntry = { text: previous?.text ?? '', objects: new Map(previous?.objects ?? []), reports: [], conflicted: false };
    next.reports.push(report(file, '-', code, [message], [], undefined, (previous?.objects.size ?? 0) > 0));
    this.files.set(file, next);
  }

  removeFile(file: string): void {
    const previous = this.files.get(file);
    if (!previous) return;
    this.files.delete(file);
    for (const [key, obj] of previous.objects) {
      if (this.owners.get(key) !== file) continue;
      this.owners.delete(key);
      this.sink.remove({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
    }
    this.retryConflicted();
  }

  private applyDocument(file: string, index: string, value: unknown, previous: FileEntry | undefined, next: FileEntry): void {
    const outcome = this.validator.validate(value, { source: `file:${file}#${index}` });
    const key = objectKey(outcome.ref);
    const warnings = outcome.warnings.map(renderIssue);
    if (!outcome.object) {
      const lastGood = previous?.objects.get(key);
      if (lastGood && !next.objects.has(key)) next.objects.set(key, lastGood);
      next.reports.push(report(file, index, ErrorCodes.CONFIG_INVALID, outcome.errors.map(renderIssue), warnings, key, lastGood !== undefined));
      return;
    }
    const owner = this.owners.get(key);
    if (next.objects.has(key) || (owner !== undefined && owner !== file)) {
      const where = next.objects.has(key) ? 'earlier in this file' : `in ${owner}`;
      next.reports.push(report(file, index, ErrorCodes.CONFIG_DUPLICATE, [`${key} is already defined ${where}; this copy is ignored`], warnings, key, false));
      if (!next.objects.has(key)) next.conflicted = true;
      return;
    }
    next.objects.set(key, outcome.object);
    if (warnings.length > 0) next.reports.push(report(file, index, ErrorCodes.CONFIG_INVALID, [], warnings, key, false));
  }

  /** After a parse failure we cannot tell which objects the broken documents held: keep them all. */
  private keepUnclaimed(previous: FileEntry, next: FileEntry): void {
    for (const [key, obj] of previous.objects) if (!next.objects.has(key)) next.objects.set(key, obj);
  }

  private commit(file: string, previous: FileEntry | undefined, next: FileEntry): void {
    this.files.set(file, next);
    let removedAny = false;
    for (const [key, obj] of previous?.objects ?? []) {
      if (next.objects.has(key) || this.owners.get(key) !== file) continue;
      this.owners.delete(key);
      this.sink.remove({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
      removedAny = true;
    }
    for (const [key, obj] of next.objects) {
      this.owners.set(key, file);
      if (previous?.objects.get(key) !== obj) this.sink.upsert(obj);
    }
    if (removedAny) this.retryConflicted();
  }

  private retryConflicted(): void {
    for (const [file, entry] of [...this.files]) {
      if (entry.conflicted) this.applyFile(file, entry.text);
    }
  }
}

function report(
  file: string,
  index: string,
  code: ErrorCode,
  errors: string[],
  warnings: string[],
  object: string | undefined,
  keptLastGood: boolean,
): DocumentReport {
  return { file, index, code, errors, warnings, keptLastGood, ...(object ? { object } : {}) };
}
