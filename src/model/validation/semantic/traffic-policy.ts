/** DestinationRule traffic policies: load balancer, connection pool, outlier detection, TLS, ports. */
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, bool, isObj, num, present, str, wrapped, at, type Obj,
  checkDuration, checkFQDN, checkIP, checkIntPercent, checkPort,
} from '../rules/index.js';
import { validateLocalityLb } from './locality-lb.js';

function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  for (let f = 3; f * f <= x; f += 2) if (x % f === 0) return false;
  return true;
}

function validateConsistentHash(path: string, ch: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (isObj(ch.httpCookie) && str(ch.httpCookie.name) === '') out.push(required(at(path, 'httpCookie', 'name'), 'name required for HttpCookie'));
  const minRing = num(ch.minimumRingSize) ?? 0;
  if (minRing !== 0) {
    out.push(warning(at(path, 'minimumRingSize'), 'consistent hash minimumRingSize is deprecated, use ringHash configuration instead'));
    if (present(ch.ringHash) || present(ch.maglev)) out.push(issue(at(path, 'minimumRingSize'), 'Forbidden', 'only one of minimumRingSize or maglev/ringHash can be specified'));
  }
  if (isObj(ch.maglev)) {
    const size = num(ch.maglev.tableSize) ?? 0;
    const p = at(path, 'maglev', 'tableSize');
    if (size === 0) out.push(required(p, 'tableSize must be set for maglev'));
    else if (size >= 5000011) out.push(invalid(p, size, 'tableSize must be less than 5000011 for maglev'));
    else if (!isPrime(size)) out.push(invalid(p, size, 'tableSize must be a prime number for maglev'));
  }
  return out;
}

function validateLoadBalancer(path: string, lb: unknown, outlier: unknown): ValidationIssue[] {
  if (!isObj(lb)) return [];
  const out: ValidationIssue[] = [];
  if (isObj(lb.consistentHash)) out.push(...validateConsistentHash(at(path, 'consistentHash'), lb.consistentHash));
  out.push(...validateLocalityLb(at(path, 'localityLbSetting'), lb.localityLbSetting, present(outlier)));
  out.push(...checkDuration(at(path, 'warmupDurationSecs'), lb.warmupDurationSecs));
  if (isObj(lb.warmup)) out.push(...checkDuration(at(path, 'warmup', 'duration'), lb.warmup.duration));
  return out;
}

function validateOutlier(path: string, o: unknown): ValidationIssue[] {
  if (!isObj(o)) return [];
  const out = [...checkDuration(at(path, 'baseEjectionTime'), o.baseEjectionTime), ...checkDuration(at(path, 'interval'), o.interval)];
  if ((num(o.consecutiveErrors) ?? 0) !== 0) {
    out.push(warning(at(path, 'consecutiveErrors'), 'outlier detection consecutiveErrors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead'));
  }
  if (!bool(o.splitExternalLocalOriginErrors) && (num(wrapped(o.consecutiveLocalOriginFailures)) ?? 0) > 0) {
    out.push(invalid(at(path, 'consecutiveLocalOriginFailures'), wrapped(o.consecutiveLocalOriginFailures), 'consecutive local origin failures is specified, but splitExternalLocalOriginErrors is false'));
  }
  for (const field of ['maxEjectionPercent', 'minHealthPercent'] as const) {
    const err = checkIntPercent(num(o[field]) ?? 0);
    if (err) out.push(invalid(at(path, field), o[field], err));
  }
  return out;
}

function nonNegative(path: string, value: unknown, what: string): ValidationIssue[] {
  const n = num(value) ?? 0;
  return n < 0 ? [invalid(path, n, `${what} must be non-negative`)] : [];
}

export function validateConnectionPool(path: string, cp: unknown): ValidationIssue[] {
  if (!isObj(cp)) return [];
  if (!present(cp.http) && !present(cp.tcp)) return [required(path, 'connection pool must have at least one field (http or tcp)')];
  const out: ValidationIssue[] = [];
  if (isObj(cp.http)) {
    const h = cp.http;
    const p = at(path, 'http');
    out.push(...nonNegative(at(p, 'http1MaxPendingRequests'), h.http1MaxPendingRequests, 'http1 max pending requests'));
    out.push(...nonNegative(at(p, 'http2MaxRequests'), h.http2MaxRequests, 'http2 max requests'));
    out.push(...nonNegative(at(p, 'maxRequestsPerConnection'), h.maxRequestsPerConnection, 'max requests per connection'));
    out.push(...nonNegative(at(p, 'maxRetries'), h.maxRetries, 'max retries'));
    out.push(...nonNegative(at(p, 'maxConcurrentStreams'), h.maxConcurrentStreams, 'max concurrent streams'));
    out.push(...checkDuration(at(p, 'idleTimeout'), h.idleTimeout));
    if (h.h2UpgradePolicy === 'UPGRADE' && bool(h.useClientProtocol)) {
      out.push(issue(at(p, 'useClientProtocol'), 'Forbidden', 'useClientProtocol must not be true when h2UpgradePolicy is UPGRADE'));
    }
  }
  if (isObj(cp.tcp)) {
    const t = cp.tcp;
    const p = at(path, 'tcp');
    out.push(...nonNegative(at(p, 'maxConnections'), t.maxConnections, 'max connections'));
    for (const f of ['connectTimeout', 'maxConnectionDuration', 'idleTimeout'] as const) out.push(...checkDuration(at(p, f), t[f]));
    if (isObj(t.tcpKeepalive)) {
      out.push(...checkDuration(at(p, 'tcpKeepalive', 'time'), t.tcpKeepalive.time));
      out.push(...checkDuration(at(p, 'tcpKeepalive', 'interval'), t.tcpKeepalive.interval));
    }
  }
  return out;
}

/** ClientTLSSettings (DestinationRule tls, Sidecar egress proxy...). */
export function validateClientTLS(path: string, tls: unknown): ValidationIssue[] {
  if (!isObj(tls)) return [];
  const out: ValidationIssue[] = [];
  const mode = str(tls.mode);
  const has = (f: string): boolean => str(tls[f]) !== '';
  if (wrapped(tls.insecureSkipVerify) === true) {
    if (mode === 'SIMPLE' && (has('caCertificates') || has('credentialName') || present(tls.subjectAltNames))) {
      out.push(issue(path, 'Forbidden', 'cannot specify caCertificates or credentialName or subjectAltNames when insecureSkipVerify is set true'));
    }
    if (mode === 'MUTUAL' && (has('caCertificates') || present(tls.subjectAltNames))) {
      out.push(issue(path, 'Forbidden', 'cannot specify caCertificates or subjectAltNames when insecureSkipVerify is set true'));
    }
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && has('credentialName')) {
    if (has('clientCertificate') || has('caCertificates') || has('privateKey') || has('caCrl')) {
      out.push(issue(path, 'Forbidden', 'cannot specify client certificates or CA certificate or CA CRL if credentialName is set'));
    }
    return out;
  }
  if (mode === 'MUTUAL') {
    if (!has('clientCertificate')) out.push(required(at(path, 'clientCertificate'), 'client certificate required for mutual tls (or set credentialName)'));
    if (!has('privateKey')) out.push(required(at(path, 'privateKey'), 'private key required for mutual tls (or set credentialName)'));
  }
  return out;
}

function validateTunnel(path: string, t: unknown): ValidationIssue[] {
  if (!isObj(t)) return [];
  const out: ValidationIssue[] = [];
  const protocol = str(t.protocol);
  if (protocol !== '' && protocol !== 'CONNECT' && protocol !== 'POST') out.push(invalid(at(path, 'protocol'), protocol, 'tunnel protocol must be "CONNECT" or "POST"'));
  const host = str(t.targetHost);
  if (checkFQDN(host) && checkIP(host)) out.push(invalid(at(path, 'targetHost'), host, 'tunnel target host must be valid FQDN or IP address'));
  const portErr = checkPort(t.targetPort ?? 0);
  if (portErr) out.push(invalid(at(path, 'targetPort'), t.targetPort ?? 0, `tunnel target port is invalid: ${portErr}`));
  return out;
}

function policyParts(path: string, p: Obj): ValidationIssue[] {
  return [
    ...validateOutlier(at(path, 'outlierDetection'), p.outlierDetection),
    ...validateConnectionPool(at(path, 'connectionPool'), p.connectionPool),
    ...validateLoadBalancer(at(path, 'loadBalancer'), p.loadBalancer, p.outlierDetection),
    ...validateClientTLS(at(path, 'tls'), p.tls),
  ];
}

function validatePortLevel(path: string, list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<number>();
  arr(list).forEach((pl, i) => {
    const p = at(path, i);
    if (!isObj(pl)) return void out.push(required(p, 'traffic policy may not be null'));
    if (!isObj(pl.port)) out.push(required(at(p, 'port'), 'portLevelSettings must have a valid port'));
    else {
      const n = num(pl.port.number) ?? 0;
      if (seen.has(n)) out.push(issue(at(p, 'port', 'number'), 'Duplicate value', 'port already has port level settings', n));
      seen.add(n);
    }
    if (!['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].some((f) => present(pl[f]))) {
      out.push(required(p, 'port traffic policy must have at least one field'));
    } else out.push(...policyParts(p, pl));
  });
  return out;
}

const POLICY_FIELDS = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol'];

export function validateTrafficPolicy(path: string, policy: unknown): ValidationIssue[] {
  if (!isObj(policy)) return [];
  if (!POLICY_FIELDS.some((f) => present(policy[f]))) return [required(path, 'traffic policy must have at least one field')];
  if (present(policy.tunnel) && present(policy.proxyProtocol)) return [issue(at(path, 'proxyProtocol'), 'Forbidden', 'tunnel and proxyProtocol must not be set together')];
  const out = [...policyParts(path, policy), ...validatePortLevel(at(path, 'portLevelSettings'), policy.portLevelSettings), ...validateTunnel(at(path, 'tunnel'), policy.tunnel)];
  if (isObj(policy.proxyProtocol)) {
    const v = policy.proxyProtocol.version;
    if (v !== undefined && v !== 'V1' && v !== 'V2' && v !== 0 && v !== 1) out.push(invalid(at(path, 'proxyProtocol', 'version'), v, 'proxy protocol version is invalid'));
  }
  return out;
}
