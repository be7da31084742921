/** Field paths written the way the Kubernetes API server writes them: `spec.ports[0].name`, `labels[app.kubernetes.io/name]`. */
import { joinPath } from '../../../lib/issue.js';

/** Decodes an ajv instancePath (JSON pointer) against the data, so array indices render as `[i]`. */
export function pointerToPath(pointer: string, data: unknown): string {
  if (pointer === '') return '';
  let path = '';
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      path = joinPath(path, index);
      node = node[index];
    } else {
      path = joinPath(path, key);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

/** The value at an ajv instancePath, or undefined. */
export function valueAtPointer(pointer: string, data: unknown): unknown {
  if (pointer === '') return data;
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    if (typeof node !== 'object' || node === null) return undefined;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = Array.isArray(node) ? node[Number(key)] : (node as Record<string, unknown>)[key];
  }
  return node;
}

/** `<document>` stands for the root when a failure has no field to point at. */
export function displayPath(path: string): string {
  return path === '' ? '<root>' : path;
}
