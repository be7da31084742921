/**
 * VirtualServices by visibility and host. A VirtualService is visible from a namespace when its
 * exportTo (default from options) holds '*', that namespace, or '.' and it lives there.
 * Hosts are resolved with the short-name rule relative to the VirtualService's namespace.
 */
import type { ConfigObject } from '../config.js';
import { isVisibleTo } from '../registry/export-to.js';
import { asArray, asRecord } from '../registry/read.js';
import { hostMatches, resolveShortName } from './host.js';

export interface IndexedVirtualService {
  readonly config: ConfigObject;
  /** spec.hosts resolved to FQDNs (short names relative to the object's namespace). */
  readonly hosts: readonly string[];
  readonly exportTo: readonly string[];
  /** spec.gateways as written; empty means the mesh (sidecars). */
  readonly gateways: readonly string[];
}

export interface VirtualServiceIndex {
  /** Every VirtualService visible from `namespace`, oldest first. */
  visibleTo(namespace: string): readonly IndexedVirtualService[];
  /** Visible VirtualServices with a host covering `host` (or covered by it, for wildcard hosts). */
  forHost(namespace: string, host: string): readonly IndexedVirtualService[];
}

export interface VirtualServiceIndexOptions {
  readonly domain: string;
  readonly defaultExportTo: readonly string[];
}

const strings = (v: unknown): string[] => asArray(v).filter((s): s is string => typeof s === 'string');

/** `objects` must already be ordered oldest first. */
export function buildVirtualServiceIndex(objects: readonly ConfigObject[], opts: VirtualServiceIndexOptions): VirtualServiceIndex {
  const indexed: IndexedVirtualService[] = objects.map((config) => {
    const spec = asRecord(config.spec);
    const exportTo = strings(spec.exportTo);
    return Object.freeze({
      config,
      hosts: Object.freeze(strings(spec.hosts).map((h) => resolveShortName(h, config.metadata.namespace, opts.domain))),
      exportTo: Object.freeze(exportTo.length > 0 ? exportTo : [...opts.defaultExportTo]),
      gateways: Object.freeze(strings(spec.gateways)),
    });
  });
  const visibleTo = (ns: string) => indexed.filter((vs) => isVisibleTo(vs.exportTo, vs.config.metadata.namespace, ns));
  return Object.freeze({
    visibleTo,
    forHost: (ns: string, host: string) => visibleTo(ns).filter((vs) => vs.hosts.some((h) => hostMatches(h, host) || hostMatches(host, h))),
  });
}
