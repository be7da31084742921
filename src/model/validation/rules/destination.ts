/** Route destinations: host, subset and port selector. */
import { invalid, type ValidationIssue } from '../../../lib/issue.js';
import { isObj, str } from './access.js';
import { checkWildcardDomain, isDNS1123Label } from './hosts.js';
import { checkPort } from './ports.js';
import { joinPath } from '../../../lib/issue.js';

export function checkSubsetName(name: string): string | undefined {
  if (name === '') return 'subset name cannot be empty';
  return isDNS1123Label(name) ? undefined : `subset name is invalid: ${name}`;
}

export function validateDestination(path: string, dest: unknown): ValidationIssue[] {
  if (!isObj(dest)) return [];
  const out: ValidationIssue[] = [];
  const host = str(dest.host);
  const hostPath = joinPath(path, 'host');
  if (host === '*') out.push(invalid(hostPath, host, 'invalid destination host *'));
  else {
    const err = checkWildcardDomain(host);
    if (err) out.push(invalid(hostPath, host, err));
  }
  const subset = str(dest.subset);
  if (subset !== '') {
    const err = checkSubsetName(subset);
    if (err) out.push(invalid(joinPath(path, 'subset'), subset, err));
  }
  if (isObj(dest.port)) {
    const err = checkPort(dest.port.number ?? 0);
    if (err) out.push(invalid(joinPath(joinPath(path, 'port'), 'number'), dest.port.number ?? 0, err));
  }
  return out;
}
