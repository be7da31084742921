/**
 * Reads CustomResourceDefinition manifests from a directory and extracts, for every served
 * version, the kind's openAPIV3Schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isPlainObject, type CrdVersionSchema, type StructuralSchema } from './types.js';

export interface LoadedCrds {
  readonly schemas: CrdVersionSchema[];
  /** Files or documents that could not be used, with the reason. */
  readonly problems: string[];
}

export function loadCrdDir(dir: string): LoadedCrds {
  const schemas: CrdVersionSchema[] = [];
  const problems: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  } catch (err) {
    return { schemas, problems: [`cannot read CRD directory ${dir}: ${(err as Error).message}`] };
  }
  for (const file of files) {
    const full = join(dir, file);
    try {
      for (const doc of parseAllDocuments(readFileSync(full, 'utf8'))) {
        if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message);
        const crd: unknown = doc.toJS({ maxAliasCount: 1000 });
        if (crd == null) continue;
        schemas.push(...schemasOfCrd(crd, full));
      }
    } catch (err) {
      problems.push(`${full}: ${(err as Error).message}`);
    }
  }
  return { schemas, problems };
}

function schemasOfCrd(crd: unknown, file: string): CrdVersionSchema[] {
  if (!isPlainObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isPlainObject(crd.spec)) {
    throw new Error('not a CustomResourceDefinition');
  }
  const spec = crd.spec;
  const names = isPlainObject(spec.names) ? spec.names : {};
  if (typeof spec.group !== 'string' || typeof names.kind !== 'string' || !Array.isArray(spec.versions)) {
    throw new Error('CRD lacks spec.group, spec.names.kind or spec.versions');
  }
  const out: CrdVersionSchema[] = [];
  for (const v of spec.versions) {
    if (!isPlainObject(v) || typeof v.name !== 'string' || v.served === false) continue;
    const schema = isPlainObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isPlainObject(schema)) throw new Error(`version ${v.name} has no schema.openAPIV3Schema`);
    out.push({ group: spec.group, kind: names.kind, version: v.name, schema: schema as StructuralSchema, file });
  }
  return out;
}
