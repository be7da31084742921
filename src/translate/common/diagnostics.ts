/** Collects TranslateDiagnostics while building, naming the object and field responsible. */
import { objectKey, refOf, type ConfigObject, type ObjectRef } from '../../model/config.js';
import type { TranslateDiagnostic } from '../types.js';

/** The object responsible: a config object or just its reference. */
export type Source = ConfigObject | ObjectRef | undefined;

function keyOf(source: ConfigObject | ObjectRef): string {
  return 'metadata' in source ? objectKey(refOf(source)) : objectKey(source);
}

export class Diagnostics {
  readonly items: TranslateDiagnostic[] = [];

  warn(source: Source, path: string | undefined, message: string, resource?: string): void {
    this.push('warning', source, path, message, resource);
  }

  error(source: Source, path: string | undefined, message: string, resource?: string): void {
    this.push('error', source, path, message, resource);
  }

  private push(severity: TranslateDiagnostic['severity'], source: Source, path: string | undefined, message: string, resource?: string): void {
    this.items.push({
      severity,
      ...(source ? { source: keyOf(source) } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(resource !== undefined ? { resource } : {}),
      message,
    });
  }
}

/** Same diagnostics once each, in a stable order (the same object may be visited for several resources). */
export function uniqueDiagnostics(items: readonly TranslateDiagnostic[]): TranslateDiagnostic[] {
  const seen = new Set<string>();
  return items.filter((d) => {
    const key = JSON.stringify([d.severity, d.source, d.path, d.resource, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
