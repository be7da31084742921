/** Collects what was skipped while building the registry, naming the source object and field. */
import type { ConfigObject, ObjectRef } from '../config.js';
import type { Diagnostic } from './types.js';

export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  add(source: ConfigObject<unknown> | ObjectRef, path: string, reason: string): void {
    const ref = 'metadata' in source ? { kind: source.kind, namespace: source.metadata.namespace, name: source.metadata.name, cluster: source.cluster } : source;
    const base = { kind: ref.kind, namespace: ref.namespace, name: ref.name };
    this.items.push({ ref: ref.cluster === undefined ? base : { ...base, cluster: ref.cluster }, path, reason });
  }
}
