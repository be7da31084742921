/**
 * Env overrides carried in the webhook URL path (Istio's parseInjectEnvs):
 * /inject/cluster/<id>/net/<network> → ISTIO_META_CLUSTER_ID, ISTIO_META_NETWORK; other keys are
 * upper-cased into env names; `--slash--` in a value stands for `/`; the legacy
 * /inject/:ENV:K=V:ENV:K2=V2 form is also read. A key without a value is ignored.
 */
const KNOWN: Readonly<Record<string, string>> = { cluster: 'ISTIO_META_CLUSTER_ID', net: 'ISTIO_META_NETWORK' };

function pairs(rest: string): string[] {
  if (rest.startsWith(':ENV:')) {
    return rest.split(':ENV:').slice(1).flatMap((pair) => {
      const at = pair.indexOf('=');
      return at > 0 ? [pair.slice(0, at), pair.slice(at + 1)] : [];
    });
  }
  return rest.split('/').map((v, i) => (i % 2 === 1 ? v.replaceAll('--slash--', '/') : v));
}

export function proxyEnvsFromPath(path: string): Record<string, string> {
  const parts = path.replace(/\/$/, '').split('/');
  // ['', 'inject', ...rest]
  if (parts.length < 3) return {};
  const list = pairs(parts.slice(2).join('/'));
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    const key = list[i]!;
    const env = KNOWN[key] ?? key.toUpperCase();
    if (env) out[env] = list[i + 1]!;
  }
  return out;
}
