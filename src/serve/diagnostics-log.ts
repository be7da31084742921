/**
 * The translate diagnostics of the current snapshot, for /debug/push_status: what generators
 * skipped or repaired and why. A finding is kept once, with `hits` = the number of distinct
 * proxies it affected: the resource cache reports a scope's findings for every proxy served
 * from that scope (generated or cached), naming the proxy. Reports without a proxy id count as
 * one hit each. Bounded: past `maxEntries` distinct findings, new ones are only counted, and
 * each finding remembers at most `maxProxiesPerEntry` proxy ids (further proxies still count).
 */
import { shortTypeName } from '../translate/type-urls.js';
import type { TranslateDiagnostic } from '../translate/types.js';

export interface LoggedDiagnostic extends TranslateDiagnostic {
  /** The generator that reported it first (`sidecar`, `grpc`, ...). */
  readonly generator: string;
  /** Short xDS type name (`lds`, `rds`, `cds`, `eds`) it was reported for first. */
  readonly type: string;
  /** Distinct proxies it affected (reports without a proxy id count once each). */
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
export const DEFAULT_MAX_PROXIES_PER_DIAGNOSTIC = 10_000;

interface Entry {
  readonly first: Omit<LoggedDiagnostic, 'hits'>;
  readonly proxies: Set<string>;
  /** Hits not represented in `proxies` (anonymous reports, or proxies past the cap). */
  uncounted: number;
}

const keyOf = (d: TranslateDiagnostic) => JSON.stringify([d.severity, d.source ?? '', d.path ?? '', d.resource ?? '', d.message]);

function compare(a: LoggedDiagnostic, b: LoggedDiagnostic): number {
  const ka = [a.severity === 'error' ? 0 : 1, a.source ?? '', a.path ?? '', a.message, a.resource ?? ''];
  const kb = [b.severity === 'error' ? 0 : 1, b.source ?? '', b.path ?? '', b.message, b.resource ?? ''];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

export class DiagnosticsLog {
  private version = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly droppedKeys = new Set<string>();

  constructor(
    private readonly maxEntries: number = DEFAULT_MAX_DIAGNOSTICS,
    private readonly maxProxiesPerEntry: number = DEFAULT_MAX_PROXIES_PER_DIAGNOSTIC,
  ) {}

  /** A new snapshot: the previous snapshot's findings no longer apply. */
  reset(snapshotVersion: number): void {
    this.version = snapshotVersion;
    this.entries.clear();
    this.droppedKeys.clear();
  }

  /**
   * Findings served to proxy `proxyId` (or of one anonymous generation) for `snapshotVersion`;
   * late reports for an older snapshot are ignored. The same proxy reported again adds nothing.
   */
  record(snapshotVersion: number, generator: string, typeUrl: string, diagnostics: readonly TranslateDiagnostic[], proxyId?: string): void {
    if (snapshotVersion !== this.version) return;
    for (const d of diagnostics) {
      const key = keyOf(d);
      let entry = this.entries.get(key);
      if (!entry) {
        if (this.entries.size >= this.maxEntries) {
          if (this.droppedKeys.size < this.maxEntries) this.droppedKeys.add(key);
          continue;
        }
        entry = { first: { ...d, generator, type: shortTypeName(typeUrl) }, proxies: new Set(), uncounted: 0 };
        this.entries.set(key, entry);
      }
      this.count(entry, proxyId);
    }
  }

  private count(entry: Entry, proxyId: string | undefined): void {
    if (proxyId === undefined) entry.uncounted++;
    else if (entry.proxies.has(proxyId)) return;
    else if (entry.proxies.size < this.maxProxiesPerEntry) entry.proxies.add(proxyId);
    else entry.uncounted++;
  }

  report(): DiagnosticsReport {
    const diagnostics = [...this.entries.values()].map((e) => ({ ...e.first, hits: e.proxies.size + e.uncounted }));
    return { snapshotVersion: this.version, diagnostics: diagnostics.sort(compare), dropped: this.droppedKeys.size };
  }
}
