/** WorkloadEntry, also used for ServiceEntry endpoints and WorkloadGroup templates. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import { entries, isObj, str, at, type Obj, checkFQDN, checkPort, checkPortName, isIPAddress, validateLabels } from '../rules/index.js';
import type { SemanticContext } from './index.js';
import { checkUnixAddress } from './unix-address.js';

export interface EndpointOptions {
  /** Port names the owning ServiceEntry declares (endpoints must use those). */
  readonly servicePorts?: ReadonlySet<string>;
  /** WorkloadEntry objects and DNS-resolved endpoints may use host names as addresses. */
  readonly allowFQDN: boolean;
}

export function validateEndpoint(path: string, we: Obj, opts: EndpointOptions): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const addr = str(we.address);
  if (addr === '') {
    if (str(we.network) === '') return [required(at(path, 'address'), 'address is required')];
    out.push(warning(at(path, 'address'), `address is unset with network "${str(we.network)}"`));
  }
  const unix = addr.startsWith('unix://');
  if (unix) {
    const err = checkUnixAddress(addr.slice('unix://'.length));
    if (err) out.push(invalid(at(path, 'address'), addr, `UDS may not be a dir or relative path: ${err}`));
    if (entries(we.ports).length > 0) out.push(issue(at(path, 'ports'), 'Forbidden', `UDS may not include ports: unix endpoint ${addr} must not include ports`));
  } else if (addr !== '' && !isIPAddress(addr)) {
    if (!opts.allowFQDN) out.push(invalid(at(path, 'address'), addr, 'endpoint address is not a valid IP address'));
    else if (checkFQDN(addr)) out.push(invalid(at(path, 'address'), addr, 'endpoint address is not a valid FQDN or an IP address'));
  }
  for (const [name, port] of entries(we.ports)) {
    const pp = at(path, 'ports', name);
    if (opts.servicePorts && !opts.servicePorts.has(name)) out.push(invalid(pp, name, 'endpoint port is not defined by the service entry'));
    const nameErr = checkPortName(name);
    if (nameErr) out.push(invalid(at(path, 'ports'), name, nameErr));
    const portErr = checkPort(port);
    if (portErr) out.push(invalid(pp, port, portErr));
  }
  out.push(...validateLabels(at(path, 'labels'), we.labels));
  if (unix && opts.servicePorts && opts.servicePorts.size !== 1) out.push(invalid(path, addr, 'exactly 1 service port required for unix endpoints'));
  return out;
}

export function validateWorkloadEntry(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  return validateEndpoint('spec', spec, { allowFQDN: true });
}
