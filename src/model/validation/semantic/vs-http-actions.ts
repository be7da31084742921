/** HTTP route actions and policies: CORS, fault, mirrors, redirect, direct response, retries, rewrite. */
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, isObj, num, present, str, at, type Obj,
  checkCorsHeaderName, checkDuration, checkHTTPStatus, checkPercentage, checkPort, GRPC_STATUS, hasSubSecondPart,
  HTTP_METHODS, isRetryOnPolicy, matchKind, validateDestination, validateRegex, validateStringMatch,
} from '../rules/index.js';

const KB = 1024;
const MB = 1024 * KB;

function validateOrigin(path: string, origin: unknown): ValidationIssue[] {
  if (!isObj(origin)) return [];
  const kind = matchKind(origin);
  const value = kind ? str(origin[kind]) : '';
  if (value === '') return [invalid(path, value, 'not a valid match type for CORS allow origins: one of exact, prefix or regex must be non-empty')];
  return validateStringMatch(path, origin);
}

export function validateCors(path: string, cors: unknown): ValidationIssue[] {
  if (!isObj(cors)) return [];
  const out: ValidationIssue[] = [];
  arr(cors.allowOrigins).forEach((o, i) => out.push(...validateOrigin(at(path, 'allowOrigins', i), o)));
  arr(cors.allowMethods).forEach((m, i) => {
    if (!HTTP_METHODS.has(str(m))) out.push(invalid(at(path, 'allowMethods', i), m, 'not a supported HTTP method'));
  });
  for (const field of ['allowHeaders', 'exposeHeaders'] as const) {
    arr(cors[field]).forEach((h, i) => {
      const err = checkCorsHeaderName(str(h));
      if (err) out.push(invalid(at(path, field, i), h, err));
    });
  }
  const maxAge = cors.maxAge;
  const ageIssues = checkDuration(at(path, 'maxAge'), maxAge);
  out.push(...ageIssues);
  if (ageIssues.length === 0 && typeof maxAge === 'string' && hasSubSecondPart(maxAge)) {
    out.push(invalid(at(path, 'maxAge'), maxAge, 'maxAge duration is accurate only to seconds precision'));
  }
  if (present(cors.allowOrigin)) out.push(warning(at(path, 'allowOrigin'), 'allowOrigin is deprecated, use allowOrigins instead'));
  return out;
}

function percentage(path: string, p: unknown): ValidationIssue[] {
  if (!isObj(p)) return [];
  const v = num(p.value) ?? 0;
  const err = checkPercentage(v);
  return err ? [invalid(at(path, 'value'), v, err)] : [];
}

function validateAbort(path: string, abort: Obj): ValidationIssue[] {
  const out = percentage(at(path, 'percentage'), abort.percentage);
  if (present(abort.grpcStatus)) {
    const s = str(abort.grpcStatus);
    if (!GRPC_STATUS.has(s)) out.push(invalid(at(path, 'grpcStatus'), abort.grpcStatus, 'gRPC status is not supported; use a code name such as NOT_FOUND'));
  } else if (present(abort.http2Error)) {
    out.push(issue(at(path, 'http2Error'), 'Forbidden', 'HTTP/2 abort fault injection not supported yet'));
  } else if (present(abort.httpStatus)) {
    const err = checkHTTPStatus(abort.httpStatus);
    if (err) out.push(invalid(at(path, 'httpStatus'), abort.httpStatus, err));
  } else {
    out.push(warning(path, 'abort configured, but error type not set', abort));
  }
  return out;
}

function validateDelay(path: string, delay: Obj): ValidationIssue[] {
  const out = percentage(at(path, 'percentage'), delay.percentage);
  if (present(delay.fixedDelay)) out.push(...checkDuration(at(path, 'fixedDelay'), delay.fixedDelay));
  else if (present(delay.exponentialDelay)) {
    out.push(...checkDuration(at(path, 'exponentialDelay'), delay.exponentialDelay));
    out.push(issue(at(path, 'exponentialDelay'), 'Forbidden', 'exponentialDelay not supported yet'));
  }
  return out;
}

export function validateFault(path: string, fault: unknown): ValidationIssue[] {
  if (!isObj(fault)) return [];
  const out: ValidationIssue[] = [];
  if (!isObj(fault.abort) && !isObj(fault.delay)) out.push(required(path, 'HTTP fault injection must have an abort and/or a delay'));
  if (isObj(fault.abort)) out.push(...validateAbort(at(path, 'abort'), fault.abort));
  if (isObj(fault.delay)) out.push(...validateDelay(at(path, 'delay'), fault.delay));
  return out;
}

export function validateMirrors(path: string, mirrors: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(mirrors).forEach((m, i) => {
    const p = at(path, i);
    if (!isObj(m)) return void out.push(required(p, 'mirror cannot be null'));
    if (!isObj(m.destination)) return void out.push(required(at(p, 'destination'), 'destination is required for mirrors'));
    out.push(...validateDestination(at(p, 'destination'), m.destination));
    if (isObj(m.percentage)) {
      const v = num(m.percentage.value) ?? 0;
      if (v > 100 || v < 0) out.push(invalid(at(p, 'percentage', 'value'), v, 'mirror percentage must be between 0 and 100'));
    }
  });
  return out;
}

export function validateRedirect(path: string, redirect: unknown): ValidationIssue[] {
  if (!isObj(redirect)) return [];
  const out: ValidationIssue[] = [];
  const hasPort = present(redirect.port) || present(redirect.derivePort);
  if (str(redirect.uri) === '' && str(redirect.authority) === '' && !hasPort && str(redirect.scheme) === '') {
    out.push(required(path, 'redirect must specify URI, authority, scheme, or port'));
  }
  if (present(redirect.port) && present(redirect.derivePort)) out.push(issue(at(path, 'derivePort'), 'Forbidden', 'only one of port or derivePort may be set'));
  const code = num(redirect.redirectCode) ?? 0;
  if (code !== 0 && (code < 300 || code > 399)) out.push(invalid(at(path, 'redirectCode'), code, 'not a valid redirect code, must be 3xx'));
  const scheme = str(redirect.scheme);
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https') out.push(invalid(at(path, 'scheme'), scheme, 'invalid redirect scheme, must be "http" or "https"'));
  const port = num(redirect.port) ?? 0;
  const portErr = port > 0 ? checkPort(port) : undefined;
  if (portErr) out.push(invalid(at(path, 'port'), port, portErr));
  return out;
}

function bodySize(body: unknown): number {
  if (!isObj(body)) return 0;
  if (typeof body.string === 'string') return Buffer.byteLength(body.string);
  // bytes are base64 in JSON; the decoded size is what Envoy holds.
  if (typeof body.bytes === 'string') return Math.floor((body.bytes.length * 3) / 4);
  return 0;
}

export function validateDirectResponse(path: string, dr: unknown): ValidationIssue[] {
  if (!isObj(dr)) return [];
  const out: ValidationIssue[] = [];
  const size = bodySize(dr.body);
  if (size > MB) out.push(invalid(at(path, 'body'), `${size} bytes`, 'large direct_responses may impact control plane performance, must be less than 1MB'));
  else if (size > 100 * KB) out.push(warning(at(path, 'body'), 'large direct_responses may impact control plane performance', `${size} bytes`));
  const err = checkHTTPStatus(dr.status);
  if (err) out.push(invalid(at(path, 'status'), dr.status ?? 0, err));
  return out;
}

export function validateRetries(path: string, retries: unknown): ValidationIssue[] {
  if (!isObj(retries)) return [];
  const out: ValidationIssue[] = [];
  const attempts = num(retries.attempts) ?? 0;
  if (attempts < 0) out.push(invalid(at(path, 'attempts'), attempts, 'attempts cannot be negative'));
  const configured = present(retries.perTryTimeout) || str(retries.retryOn) !== '' || present(retries.retryRemoteLocalities);
  if (attempts === 0 && configured) out.push(invalid(at(path, 'attempts'), attempts, 'http retry policy configured when attempts are set to 0 (disabled)'));
  out.push(...checkDuration(at(path, 'perTryTimeout'), retries.perTryTimeout));
  const retryOn = str(retries.retryOn);
  if (retryOn !== '') {
    for (const policy of retryOn.split(',')) {
      if (!isRetryOnPolicy(policy)) out.push(invalid(at(path, 'retryOn'), policy, 'not a valid retryOn policy (an Envoy retry-on name or an HTTP status code)'));
    }
  }
  return out;
}

export function validateRewrite(path: string, rewrite: unknown): ValidationIssue[] {
  if (!isObj(rewrite)) return [];
  const hasRegex = present(rewrite.uriRegexRewrite);
  const uri = str(rewrite.uri);
  if (uri !== '' && hasRegex) return [issue(at(path, 'uriRegexRewrite'), 'Forbidden', 'rewrite may only contain one of uri or uriRegexRewrite')];
  if (uri === '' && !hasRegex && str(rewrite.authority) === '') {
    return [required(path, 'rewrite must specify at least one of uri, uriRegexRewrite, or authority')];
  }
  if (!isObj(rewrite.uriRegexRewrite)) return [];
  const rr = rewrite.uriRegexRewrite;
  const rp = at(path, 'uriRegexRewrite');
  if (str(rr.match) === '' || str(rr.rewrite) === '') return [required(rp, 'uriRegexRewrite requires both rewrite and match fields to be specified')];
  return validateRegex(at(rp, 'match'), str(rr.match));
}
