/**
 * ConfigMaps as the mesh reads them (the sidecar injector's template and values, CA bundles):
 * `data` as text and `binaryData` base64-decoded once, in the informer's transform. Pure.
 */
import { decodeBase64Map, entryMetadata, type CachedEntry } from './resource-cache.js';
import type { KubeObject } from './object-cache.js';

export interface KubeConfigMap extends CachedEntry {
  readonly data: ReadonlyMap<string, string>;
  readonly binaryData: ReadonlyMap<string, Buffer>;
}

function textMap(value: unknown, problems: string[]): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('data: not a map of keys to strings');
    return out;
  }
  for (const [key, text] of Object.entries(value)) {
    if (typeof text === 'string') out.set(key, text);
    else problems.push(`data.${key}: not a string`);
  }
  return out;
}

export function convertConfigMap(raw: KubeObject): KubeConfigMap {
  const problems: string[] = [];
  const data = textMap(raw.data, problems);
  const binaryData = decodeBase64Map(raw.binaryData, 'binaryData', problems);
  return { metadata: entryMetadata(raw), data, binaryData, problems };
}
