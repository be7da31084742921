/**
 * A VirtualService's `gateways` entry as Istio resolves it relative to the VirtualService's
 * namespace: `mesh` stays; `ns/name` as is (`./name` is the VirtualService's namespace); a
 * short `name` is in the VirtualService's namespace; the legacy `name.ns.svc.<domain>` form is
 * `ns/name`.
 */
export function resolveGatewayName(name: string, vsNamespace: string): string {
  if (name === 'mesh') return name;
  const slash = name.indexOf('/');
  if (slash >= 0) return name.slice(0, slash) === '.' ? `${vsNamespace}/${name.slice(slash + 1)}` : name;
  const dot = name.indexOf('.');
  if (dot >= 0) {
    const rest = name.slice(dot + 1);
    const ns = rest.includes('.') ? rest.slice(0, rest.indexOf('.')) : rest;
    return `${ns}/${name.slice(0, dot)}`;
  }
  return `${vsNamespace}/${name}`;
}
