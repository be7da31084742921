/**
 * The Kubernetes source's view of every object it was told about, with the file source's
 * "last good version" semantics: each change is converted and validated; a valid object goes to
 * the sink; an invalid one is reported against the object and, if it had a good version
 * before, that version stays in force. A delete removes whatever the sink has. No I/O.
 */
import type { ConfigObject } from '../../model/config.js';
import { objectKey } from '../../model/config.js';
import type { KindInfo } from '../../model/kinds.js';
import type { Validator } from '../../model/validation/validate.js';
import { ErrorCodes, type ErrorCode } from '../../lib/errors.js';
import { renderIssue } from '../../lib/issue.js';
import type { ConfigSink } from '../file/config-files.js';
import { toConfigDocument } from './convert.js';
import { coreConfigObject, isFastCoreKind } from './core-objects.js';
import type { KubeObject } from './object-cache.js';

export interface KubeObjectReport {
  /** `kube:<clusterID>`. */
  readonly source: string;
  /** kind/namespace/name. */
  readonly object: string;
  readonly resourceVersion?: string;
  readonly code: ErrorCode;
  readonly errors: string[];
  readonly warnings: string[];
  /** True when an earlier good version of this object is still in force. */
  readonly keptLastGood: boolean;
}

function refOfRaw(info: KindInfo, raw: KubeObject): string {
  const meta = raw.metadata ?? {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : '<unnamed>';
  const namespace = info.namespaced && typeof meta.namespace === 'string' ? meta.namespace : '';
  return objectKey({ kind: info.kind, namespace, name });
}

export class KubeObjects {
  /** What the sink holds, by kind/namespace/name. */
  private readonly good = new Map<string, ConfigObject>();
  private readonly problems = new Map<string, KubeObjectReport>();

  constructor(
    private readonly validator: Validator,
    private readonly sink: ConfigSink,
    private readonly source: string,
  ) {}

  reports(): KubeObjectReport[] {
    return [...this.problems.keys()].sort().map((k) => this.problems.get(k)!);
  }

  objectCount(): number {
    return this.good.size;
  }

  /** An object was added or changed. Returns its report when it has errors or warnings. */
  apply(info: KindInfo, raw: KubeObject): KubeObjectReport | undefined {
    const key = refOfRaw(info, raw);
    const rv = typeof raw.metadata?.resourceVersion === 'string' ? raw.metadata.resourceVersion : undefined;
    if (isFastCoreKind(info)) return this.applyCore(info, key, rv, raw);
    const converted = toConfigDocument(raw, info);
    if (!converted.ok) return this.reject(key, rv, [converted.error], []);
    const outcome = this.validator.validate(converted.document, { source: this.source });
    const warnings = outcome.warnings.map(renderIssue);
    if (!outcome.object) return this.reject(key, rv, outcome.errors.map(renderIssue), warnings);
    this.good.set(key, outcome.object);
    this.sink.upsert(outcome.object);
    if (warnings.length === 0) {
      this.problems.delete(key);
      return undefined;
    }
    return this.record(key, { source: this.source, object: key, ...(rv ? { resourceVersion: rv } : {}), code: ErrorCodes.CONFIG_INVALID, errors: [], warnings, keptLastGood: false });
  }

  /** Core kinds: already validated by the API server, so only the structural checks of coreConfigObject. */
  private applyCore(info: KindInfo, key: string, rv: string | undefined, raw: KubeObject): KubeObjectReport | undefined {
    const converted = coreConfigObject(info, raw, this.source);
    if (!converted.ok) return this.reject(key, rv, converted.errors, []);
    this.good.set(key, converted.object);
    this.sink.upsert(converted.object);
    this.problems.delete(key);
    return undefined;
  }

  /** An object was deleted: its last good version leaves the sink, its report goes away. */
  remove(info: KindInfo, raw: KubeObject): void {
    const key = refOfRaw(info, raw);
    this.problems.delete(key);
    const old = this.good.get(key);
    if (!old) return;
    this.good.delete(key);
    this.sink.remove({ kind: old.kind, namespace: old.metadata.namespace, name: old.metadata.name });
  }

  private reject(key: string, rv: string | undefined, errors: string[], warnings: string[]): KubeObjectReport {
    const keptLastGood = this.good.has(key);
    return this.record(key, { source: this.source, object: key, ...(rv ? { resourceVersion: rv } : {}), code: ErrorCodes.CONFIG_INVALID, errors, warnings, keptLastGood });
  }

  private record(key: string, report: KubeObjectReport): KubeObjectReport {
    this.problems.set(key, report);
    return report;
  }
}
