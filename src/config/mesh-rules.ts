/**
 * Istio's semantic checks on a merged MeshConfig (what istiod's ValidateMeshConfig enforces),
 * plus shape checks for discovery selectors and exportTo lists. Paths are from the mesh
 * config root, e.g. `defaultConfig.discoveryAddress`.
 */
import { isIP } from 'node:net';
import { parseDurationNanos } from '../lib/duration.js';
import { isDns1123Label, isLabelValue, qualifiedKeyProblem } from '../lib/k8s-names.js';
import type { ExtensionProvider, LabelSelector, LocalityLbSetting, MeshConfig, ProxyConfig } from './mesh-types.js';
import { checkExtensionProviders } from './mesh-rules-providers.js';
import { invalid, issue, joinPath, required, warning, type ValidationIssue } from '../lib/issue.js';

const MS = 1e6;
const SECOND = 1e9;
const HOUR = 3600 * SECOND;

/** A fully-qualified name as Istio checks it: DNS-1123 labels, optional trailing dot, TLD not all digits. */
export function fqdnProblem(name: string): string | undefined {
  if (name.length === 0) return 'empty domain name not allowed';
  if (name.length > 255) return 'domain name too long (max 255)';
  const labels = name.split('.');
  const last = labels[labels.length - 1] as string;
  if (/^\d+$/.test(last)) return `top level domain "${last}" cannot be all-numeric`;
  const bad = labels.find((l, i) => !(i === labels.length - 1 && l === '') && !isDns1123Label(l));
  return bad === undefined ? undefined : `label "${bad}" is not a lowercase RFC 1123 label`;
}

/** `host:port` as istiod accepts for discoveryAddress and tracer addresses. */
export function proxyAddressProblem(address: string): string | undefined {
  let host: string;
  let port: string;
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end < 0 || address[end + 1] !== ':') return 'must be host:port (missing port in address)';
    host = address.slice(1, end);
    port = address.slice(end + 2);
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) return 'must be host:port (missing port in address)';
    host = address.slice(0, colon);
    port = address.slice(colon + 1);
    if (host.includes(':')) return 'must be host:port (an IPv6 host goes in brackets)';
  }
  if (!/^\d+$/.test(port)) return `port "${port}" is not a number`;
  if (Number(port) < 1 || Number(port) > 65535) return `port number ${port} must be in the range 1..65535`;
  if (fqdnProblem(host) !== undefined && isIP(host) === 0) return `"${host}" is not a valid hostname or an IP address`;
  return undefined;
}

function checkPort(path: string, port: number | undefined, out: ValidationIssue[]): void {
  if (port !== undefined && (port < 1 || port > 65535)) out.push(invalid(path, port, 'port number must be in the range 1..65535'));
}

/** Istio's ValidateDuration: at least 1ms, millisecond precision. */
function checkDuration(path: string, value: string | undefined, out: ValidationIssue[], maxNanos?: number): void {
  if (value === undefined) return;
  const nanos = parseDurationNanos(value) ?? 0;
  if (nanos < MS) out.push(invalid(path, value, 'duration must be at least 1ms'));
  else if (nanos % MS !== 0) out.push(invalid(path, value, 'only durations to ms precision are supported'));
  else if (maxNanos !== undefined && nanos > maxNanos) out.push(invalid(path, value, `duration must be at most ${maxNanos / HOUR}h`));
}

function checkAddress(path: string, value: string | undefined, out: ValidationIssue[]): void {
  if (value === undefined || value === '') return;
  const problem = proxyAddressProblem(value.replace('$(HOST_IP)', '127.0.0.1'));
  if (problem) out.push(invalid(path, value, problem));
}

function checkProxyConfig(pc: ProxyConfig, out: ValidationIssue[]): void {
  const p = (f: string): string => `defaultConfig.${f}`;
  if (pc.configPath === '') out.push(required(p('configPath'), 'config path must be set'));
  if (pc.binaryPath === '') out.push(required(p('binaryPath'), 'binary path must be set'));
  if (pc.tracingServiceName === undefined && !pc.serviceCluster) out.push(required(p('serviceCluster'), 'one of serviceCluster or tracingServiceName must be set'));
  checkDuration(p('drainDuration'), pc.drainDuration, out);
  if ((parseDurationNanos(pc.drainDuration) ?? 0) % SECOND !== 0) out.push(invalid(p('drainDuration'), pc.drainDuration, 'drain duration only supports durations to seconds precision'));
  if ((parseDurationNanos(pc.terminationDrainDuration) ?? 0) < 0) out.push(invalid(p('terminationDrainDuration'), pc.terminationDrainDuration, 'must not be negative'));
  if (pc.discoveryAddress === '') out.push(required(p('discoveryAddress'), 'discovery address must be set to the proxy discovery service'));
  else checkAddress(p('discoveryAddress'), pc.discoveryAddress, out);
  checkAddress(p('tracing.zipkin.address'), pc.tracing?.zipkin?.address, out);
  checkAddress(p('tracing.datadog.address'), pc.tracing?.datadog?.address, out);
  if (pc.tracing?.lightstep) {
    if (!pc.tracing.lightstep.address) out.push(required(p('tracing.lightstep.address'), 'address is required'));
    checkAddress(p('tracing.lightstep.address'), pc.tracing.lightstep.address, out);
    if (!pc.tracing.lightstep.accessToken) out.push(required(p('tracing.lightstep.accessToken'), 'access token is required'));
  }
  if (pc.tracing?.sampling !== undefined && (pc.tracing.sampling < 0 || pc.tracing.sampling > 100)) out.push(invalid(p('tracing.sampling'), pc.tracing.sampling, 'must be between 0.0 and 100.0'));
  checkAddress(p('statsdUdpAddress'), pc.statsdUdpAddress, out);
  checkAddress(p('envoyMetricsService.address'), pc.envoyMetricsService?.address, out);
  checkAddress(p('envoyAccessLogService.address'), pc.envoyAccessLogService?.address, out);
  checkPort(p('proxyAdminPort'), pc.proxyAdminPort, out);
  checkPort(p('statusPort'), pc.statusPort, out);
  if (pc.controlPlaneAuthPolicy === 'INHERIT') out.push(issue(p('controlPlaneAuthPolicy'), 'Unsupported value', 'supported values: "NONE", "MUTUAL_TLS" (INHERIT is not allowed mesh-wide)', 'INHERIT'));
  if (pc.concurrency !== undefined && pc.concurrency < 0) out.push(invalid(p('concurrency'), pc.concurrency, 'must be greater than or equal to 0'));
  if (pc.statNameLength < 0) out.push(invalid(p('statNameLength'), pc.statNameLength, 'must be greater than or equal to 0'));
}

function trustDomainProblem(domain: string): string | undefined {
  if (domain === '') return 'empty domain name not allowed';
  const parts = domain.split('.');
  const ok = parts.every((l, i) => (i === parts.length - 1 && l === '') || isDns1123Label(l));
  return ok ? undefined : 'trust domain must be dot-separated lowercase RFC 1123 labels';
}

function checkTrustDomains(mc: MeshConfig, writtenAliases: readonly string[], out: ValidationIssue[]): void {
  const problem = trustDomainProblem(mc.trustDomain);
  if (problem) out.push(invalid('trustDomain', mc.trustDomain, problem));
  writtenAliases.forEach((alias, i) => {
    const aliasProblem = trustDomainProblem(alias);
    if (aliasProblem) out.push(invalid(`trustDomainAliases[${i}]`, alias, aliasProblem));
  });
}

function checkLocalityLb(lb: LocalityLbSetting, out: ValidationIssue[]): void {
  const base = 'localityLbSetting';
  if ((lb.distribute?.length ?? 0) > 0 && (lb.failover?.length ?? 0) > 0) {
    out.push(issue(`${base}.failover`, 'Forbidden', "can not simultaneously specify 'distribute' and 'failover'"));
    return;
  }
  (lb.distribute ?? []).forEach((d, i) => {
    const to = Object.entries(d.to ?? {});
    to.forEach(([loc, w]) => {
      if (w < 1 || w > 100) out.push(invalid(joinPath(`${base}.distribute[${i}].to`, loc), w, 'locality weight must be in range [1, 100]'));
    });
    const total = to.reduce((sum, [, w]) => sum + w, 0);
    if (total !== 100) out.push(invalid(`${base}.distribute[${i}].to`, total, 'total locality weight must be 100'));
    for (const loc of [d.from ?? '', ...to.map(([l]) => l)]) {
      const problem = localityProblem(loc);
      if (problem) out.push(invalid(`${base}.distribute[${i}]`, loc, problem));
    }
  });
  (lb.failover ?? []).forEach((f, i) => {
    const path = `${base}.failover[${i}]`;
    if (f.from === f.to) out.push(invalid(`${path}.to`, f.to ?? '', 'locality lb failover settings must specify different regions'));
    if ((f.from ?? '').includes('/') || (f.to ?? '').includes('/')) out.push(invalid(path, `${f.from}->${f.to}`, 'locality lb failover only specify region'));
    if ((f.from ?? '').includes('*') || (f.to ?? '').includes('*')) out.push(invalid(path, `${f.from}->${f.to}`, "locality lb failover region should not contain '*' wildcard"));
  });
}

function localityProblem(locality: string): string | undefined {
  const stars = locality.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !locality.endsWith('*'))) return "wildcard '*' may appear once, at the end";
  if (locality.split('/', 3).some((part) => part === '')) return 'locality must not contain empty region/zone/subzone';
  return undefined;
}

function checkServiceSettings(mc: MeshConfig, out: ValidationIssue[]): void {
  mc.serviceSettings.forEach((s, i) =>
    (s.hosts ?? []).forEach((host, j) => {
      const rest = host.startsWith('*.') ? host.slice(2) : host === '*' ? '' : host;
      const problem = rest === '' ? undefined : fqdnProblem(rest);
      if (problem) out.push(invalid(`serviceSettings[${i}].hosts[${j}]`, host, problem));
    }),
  );
}

function checkExportTo(field: 'defaultServiceExportTo' | 'defaultVirtualServiceExportTo' | 'defaultDestinationRuleExportTo', mc: MeshConfig, out: ValidationIssue[]): void {
  const values = mc[field];
  values.forEach((v, i) => {
    if (v !== '*' && v !== '.' && v !== '~' && !isDns1123Label(v)) out.push(invalid(`${field}[${i}]`, v, 'must be "*", ".", "~" or a namespace name'));
  });
  if (values.includes('*') && values.length > 1) out.push(invalid(field, values.join(','), 'cannot combine "*" with other values'));
}

function checkSelector(sel: LabelSelector, path: string, out: ValidationIssue[]): void {
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    if (qualifiedKeyProblem(key) !== undefined) out.push(invalid(joinPath(`${path}.matchLabels`, key), key, 'not a valid label key'));
    if (!isLabelValue(value)) out.push(invalid(joinPath(`${path}.matchLabels`, key), value, 'not a valid label value'));
  }
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!req.key) out.push(required(`${p}.key`, 'key is required'));
    else if (qualifiedKeyProblem(req.key) !== undefined) out.push(invalid(`${p}.key`, req.key, 'not a valid label key'));
    if (!req.operator) out.push(required(`${p}.operator`, 'operator is required'));
    const n = req.values?.length ?? 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && n === 0) out.push(required(`${p}.values`, 'must be specified when operator is In or NotIn'));
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && n > 0) out.push(issue(`${p}.values`, 'Forbidden', 'may not be specified when operator is Exists or DoesNotExist'));
    (req.values ?? []).forEach((v, j) => {
      if (!isLabelValue(v)) out.push(invalid(`${p}.values[${j}]`, v, 'not a valid label value'));
    });
  });
}


function checkTls(mc: MeshConfig, out: ValidationIssue[]): void {
  if (mc.meshMTLS?.ecdhCurves !== undefined) out.push(issue('meshMTLS.ecdhCurves', 'Forbidden', 'mesh TLS does not support ECDH curves configuration'));
  const seen = new Set<string>();
  (mc.tlsDefaults?.ecdhCurves ?? []).forEach((curve, i) => {
    if (!KNOWN_ECDH_CURVES.has(curve)) out.push(warning(`tlsDefaults.ecdhCurves[${i}]`, 'unrecognized ECDH curve', curve));
    else if (seen.has(curve)) out.push(warning(`tlsDefaults.ecdhCurves[${i}]`, 'duplicate ECDH curve', curve));
    seen.add(curve);
  });
}

const KNOWN_ECDH_CURVES = new Set(['P-256', 'P-384', 'P-521', 'X25519', 'X25519MLKEM768']);

/** What the operator wrote in the list-valued fields that are merged (not replaced) into the defaults. */
export interface WrittenLists {
  readonly extensionProviders: readonly ExtensionProvider[];
  readonly trustDomainAliases: readonly string[];
}

/**
 * Every semantic problem in a merged mesh config (errors and warnings). Lists that merging
 * reorders are checked as written, so paths carry the operator's indexes.
 */
export function checkMeshConfig(mc: MeshConfig, written: WrittenLists): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  checkPort('proxyListenPort', mc.proxyListenPort, out);
  checkPort('proxyInboundListenPort', mc.proxyInboundListenPort, out);
  checkDuration('connectTimeout', mc.connectTimeout, out, HOUR);
  const detection = parseDurationNanos(mc.protocolDetectionTimeout) ?? 0;
  if (detection < 0) out.push(invalid('protocolDetectionTimeout', mc.protocolDetectionTimeout, 'must not be negative'));
  else if (detection % MS !== 0) out.push(invalid('protocolDetectionTimeout', mc.protocolDetectionTimeout, 'only durations to ms precision are supported'));
  checkDuration('dnsRefreshRate', mc.dnsRefreshRate, out);
  checkProxyConfig(mc.defaultConfig, out);
  checkLocalityLb(mc.localityLbSetting, out);
  checkServiceSettings(mc, out);
  checkTrustDomains(mc, written.trustDomainAliases, out);
  if (!isDns1123Label(mc.rootNamespace)) out.push(invalid('rootNamespace', mc.rootNamespace, 'must be a namespace name (lowercase RFC 1123 label)'));
  checkExportTo('defaultServiceExportTo', mc, out);
  checkExportTo('defaultVirtualServiceExportTo', mc, out);
  checkExportTo('defaultDestinationRuleExportTo', mc, out);
  (mc.discoverySelectors ?? []).forEach((sel, i) => checkSelector(sel, `discoverySelectors[${i}]`, out));
  checkExtensionProviders(written.extensionProviders, mc, out);
  if (mc.defaultHttpRetryPolicy?.attempts !== undefined && mc.defaultHttpRetryPolicy.attempts < 0) out.push(invalid('defaultHttpRetryPolicy.attempts', mc.defaultHttpRetryPolicy.attempts, 'attempts cannot be negative'));
  checkDuration('defaultHttpRetryPolicy.perTryTimeout', mc.defaultHttpRetryPolicy?.perTryTimeout, out);
  checkTls(mc, out);
  return out;
}
