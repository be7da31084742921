/** Weighted destinations of HTTP, TCP and TLS routes. Weights are relative: non-negative, not all zero. */
import { invalid, required, type ValidationIssue } from '../../../lib/issue.js';
import { arr, isObj, num, present, at, validateDestination } from '../rules/index.js';
import { validateHeaderOperations } from './vs-headers.js';

export function validateDestinations(path: string, list: unknown, withHeaders: boolean): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const items = arr(list);
  let total = 0;
  items.forEach((d, i) => {
    const p = at(path, i);
    if (!isObj(d)) {
      out.push(required(p, 'weight may not be nil'));
      return;
    }
    if (!present(d.destination)) out.push(required(at(p, 'destination'), 'destination is required'));
    if (withHeaders) out.push(...validateHeaderOperations(at(p, 'headers'), d.headers));
    out.push(...validateDestination(at(p, 'destination'), d.destination));
    const weight = num(d.weight) ?? 0;
    if (weight < 0) out.push(invalid(at(p, 'weight'), weight, 'weight must not be negative'));
    total += weight;
  });
  if (items.length > 1 && total === 0) {
    out.push(invalid(path, total, 'total destination weight = 0: when there are several destinations, at least one needs a positive weight'));
  }
  return out;
}

export function validateHTTPDestinations(path: string, list: unknown): ValidationIssue[] {
  return validateDestinations(path, list, true);
}
