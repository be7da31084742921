/** Header manipulation blocks (`headers.request/response.add/set/remove`) of routes and destinations. */
import { invalid, type ValidationIssue } from '../../../lib/issue.js';
import { arr, entries, isObj, str, at, checkHeaderOperationName, checkHeaderValue, checkRequestSetHeaderName, isAuthorityHeader } from '../rules/index.js';

type NameCheck = (name: string) => string | undefined;

function checkNamedValues(path: string, map: unknown, nameCheck: NameCheck): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const [name, value] of entries(map)) {
    const nameErr = nameCheck(name);
    if (nameErr) out.push(invalid(path, name, nameErr));
    const valErr = typeof value === 'string' ? checkHeaderValue(value) : undefined;
    if (valErr) out.push(invalid(at(path, name), value, valErr));
  }
  return out;
}

function checkRemoved(path: string, list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(list).forEach((n, i) => {
    const err = checkHeaderOperationName(str(n));
    if (err) out.push(invalid(at(path, i), n, err));
  });
  return out;
}

export function validateHeaderOperations(path: string, headers: unknown): ValidationIssue[] {
  if (!isObj(headers)) return [];
  const req = isObj(headers.request) ? headers.request : {};
  const res = isObj(headers.response) ? headers.response : {};
  const rp = at(path, 'request');
  const sp = at(path, 'response');
  return [
    ...checkNamedValues(at(rp, 'add'), req.add, checkRequestSetHeaderName),
    ...checkNamedValues(at(rp, 'set'), req.set, checkRequestSetHeaderName),
    ...checkRemoved(at(rp, 'remove'), req.remove),
    ...checkNamedValues(at(sp, 'add'), res.add, checkHeaderOperationName),
    ...checkNamedValues(at(sp, 'set'), res.set, checkHeaderOperationName),
    ...checkRemoved(at(sp, 'remove'), res.remove),
  ];
}

/** The authority may be rewritten in one place only: rewrite.authority or one authority/host header. */
export function validateAuthorityRewrite(path: string, route: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const rewrite = isObj(route.rewrite) ? route.rewrite : {};
  const headers = isObj(route.headers) && isObj(route.headers.request) ? route.headers.request : {};
  let current = str(rewrite.authority);
  for (const op of ['set', 'add'] as const) {
    for (const [name, value] of entries(headers[op])) {
      if (!isAuthorityHeader(name)) continue;
      if (current !== '') {
        return [invalid(at(path, 'headers', 'request', op, name), value, `authority header cannot be set multiple times: have "${current}"`)];
      }
      current = str(value);
    }
  }
  return [];
}
