/** References to Gateways from VirtualService `gateways` and match `gateways`. */
import { invalid, warning, type ValidationIssue } from '../../../lib/issue.js';
import { arr, str } from './access.js';
import { checkFQDN, isDNS1123Label } from './hosts.js';
import { joinPath } from '../../../lib/issue.js';

/** `mesh`, `name`, `namespace/name`; the legacy `name.namespace...` form earns a warning. */
export function validateGatewayRef(path: string, ref: string): ValidationIssue[] {
  const slash = ref.indexOf('/');
  if (slash < 0) {
    const out: ValidationIssue[] = [];
    if (ref.includes('.')) {
      const [name = '', ns = ''] = ref.split('.');
      out.push(warning(path, `using legacy gatewayName format; prefer the <namespace>/<name> format: "${ns}/${name}"`, ref));
    }
    const err = checkFQDN(ref);
    if (err) out.push(invalid(path, ref, err));
    return out;
  }
  const ns = ref.slice(0, slash);
  const name = ref.slice(slash + 1);
  const out: ValidationIssue[] = [];
  if (ns === '' || name === '') out.push(invalid(path, ref, 'config namespace and gateway name cannot be empty'));
  if (!isDNS1123Label(ns)) out.push(invalid(path, ref, `invalid value for namespace: "${ns}"`));
  if (!isDNS1123Label(name)) out.push(invalid(path, ref, `invalid value for gateway name: "${name}"`));
  return out;
}

export function validateGatewayRefs(path: string, refs: unknown): ValidationIssue[] {
  return arr(refs).flatMap((r, i) => validateGatewayRef(joinPath(path, i), str(r)));
}
