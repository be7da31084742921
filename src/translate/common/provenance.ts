/**
 * Provenance metadata, as Istio writes it on generated routes and clusters:
 * `filter_metadata.istio.config = /apis/<group>/<version>/namespaces/<ns>/<kind-in-kebab-case>/<name>`
 * (e.g. `/apis/networking.istio.io/v1/namespaces/app/virtual-service/echo`), so a config_dump
 * leads back to the object responsible.
 */
import type { ConfigObject } from '../../model/config.js';

/** `VirtualService` → `virtual-service`. */
export function kebabCaseKind(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** Paths by (frozen) object: a route per match of one VirtualService repeats the same path. */
const paths = new WeakMap<ConfigObject, string>();

export function configPath(obj: ConfigObject): string {
  let path = paths.get(obj);
  if (path === undefined) paths.set(obj, (path = buildConfigPath(obj)));
  return path;
}

function buildConfigPath(obj: ConfigObject): string {
  const slash = obj.apiVersion.indexOf('/');
  const group = slash >= 0 ? obj.apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? obj.apiVersion.slice(slash + 1) : obj.apiVersion;
  return `/apis/${group}/${version}/namespaces/${obj.metadata.namespace}/${kebabCaseKind(obj.kind)}/${obj.metadata.name}`;
}

/** An envoy.config.core.v3.Metadata naming `obj` (Struct values are plain JSON here). */
export function configMetadata(obj: ConfigObject): Record<string, unknown> {
  return { filter_metadata: { istio: { config: configPath(obj) } } };
}
