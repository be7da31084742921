/**
 * The translate diagnostics of the current snapshot, for /debug/push_status: what generators
 * skipped or repaired and why. Generation happens once per (snapshot, type, proxy scope), so
 * the same finding arrives once per scope; it is kept once, with the number of generations
 * that reported it. Bounded: past `maxEntries` distinct findings, new ones are only counted.
 */
import { shortTypeName } from '../translate/type-urls.js';
import type { TranslateDiagnostic } from '../translate/types.js';

export interface LoggedDiagnostic extends TranslateDiagnostic {
  /** The generator that reported it first (`sidecar`, `grpc`, ...). */
  readonly generator: string;
  /** Short xDS type name (`lds`, `rds`, `cds`, `eds`) it was reported for first. */
  readonly type: string;
  /** Generations that reported it: one per distinct proxy scope (proxies with the same scope share one). */
  readonly hits: number;
}

export interface DiagnosticsReport {
  /** The snapshot these diagnostics come from (0 before the first). */
  readonly snapshotVersion: number;
  /** Errors first, then by object, path and message. */
  readonly diagnostics: readonly LoggedDiagnostic[];
  /** Distinct diagnostics not kept because the log was full. */
  readonly dropped: number;
}

export const DEFAULT_MAX_DIAGNOSTICS = 2000;

const keyOf = (d: TranslateDiagnostic) => JSON.stringify([d.severity, d.source ?? '', d.path ?? '', d.resource ?? '', d.message]);

function compare(a: LoggedDiagnostic, b: LoggedDiagnostic): number {
  const ka = [a.severity === 'error' ? 0 : 1, a.source ?? '', a.path ?? '', a.message, a.resource ?? ''];
  const kb = [b.severity === 'error' ? 0 : 1, b.source ?? '', b.path ?? '', b.message, b.resource ?? ''];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

export class DiagnosticsLog {
  private version = 0;
  private readonly entries = new Map<string, LoggedDiagnostic>();
  private readonly droppedKeys = new Set<string>();

  constructor(private readonly maxEntries: number = DEFAULT_MAX_DIAGNOSTICS) {}

  /** A new snapshot: the previous snapshot's findings no longer apply. */
  reset(snapshotVersion: number): void {
    this.version = snapshotVersion;
    this.entries.clear();
    this.droppedKeys.clear();
  }

  /** Findings of one generation for `snapshotVersion`; late reports for an older snapshot are ignored. */
  record(snapshotVersion: number, generator: string, typeUrl: string, diagnostics: readonly TranslateDiagnostic[]): void {
    if (snapshotVersion !== this.version) return;
    for (const d of diagnostics) {
      const key = keyOf(d);
      const seen = this.entries.get(key);
      if (seen) this.entries.set(key, { ...seen, hits: seen.hits + 1 });
      else if (this.entries.size < this.maxEntries) this.entries.set(key, { ...d, generator, type: shortTypeName(typeUrl), hits: 1 });
      else if (this.droppedKeys.size < this.maxEntries) this.droppedKeys.add(key);
    }
  }

  report(): DiagnosticsReport {
    return { snapshotVersion: this.version, diagnostics: [...this.entries.values()].sort(compare), dropped: this.droppedKeys.size };
  }
}
