/** Telemetry, WasmPlugin, ProxyConfig and WorkloadGroup. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import { arr, entries, isObj, num, present, str, wrapped, at, type Obj, checkHeaderName, checkPort, validateAttachment, validateLabels, validateSelector } from '../rules/index.js';
import type { SemanticContext } from './index.js';

function specOf(obj: ConfigObject): Obj {
  return isObj(obj.spec) ? obj.spec : {};
}

function providers(path: string, list: unknown): ValidationIssue[] {
  const bad = arr(list).findIndex((p) => !isObj(p) || str(p.name) === '');
  return bad >= 0 ? [required(at(path, bad, 'name'), 'providers.name may not be empty')] : [];
}

function metrics(list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(list).forEach((m, i) => {
    if (!isObj(m)) return;
    const p = at('spec.metrics', i);
    out.push(...providers(at(p, 'providers'), m.providers));
    arr(m.overrides).forEach((o, j) => {
      const op = at(p, 'overrides', j);
      if (!isObj(o)) return void out.push(required(op, 'overrides may not be null'));
      for (const [tag, to] of entries(o.tagOverrides)) {
        const tp = at(op, 'tagOverrides', tag);
        if (tag === '') out.push(warning(tp, 'tagOverrides.name may not be empty'));
        if (!isObj(to)) { out.push(required(tp, 'tagOverrides may not be null')); continue; }
        const operation = str(to.operation) || 'UPSERT';
        if (operation === 'UPSERT' && str(to.value) === '') out.push(required(at(tp, 'value'), 'value must be set when operation is UPSERT'));
        if (operation === 'REMOVE' && str(to.value) !== '') out.push(issue(at(tp, 'value'), 'Forbidden', 'value may only be set when operation is UPSERT'));
      }
      if (isObj(o.match) && present(o.match.customMetric) && str(o.match.customMetric) === '') out.push(required(at(op, 'match', 'customMetric'), 'customMetric may not be empty'));
    });
  });
  return out;
}

function tracing(list: unknown): ValidationIssue[] {
  const items = arr(list);
  const out: ValidationIssue[] = items.length > 1 ? [warning('spec.tracing', 'multiple tracing is not currently supported')] : [];
  items.forEach((t, i) => {
    if (!isObj(t)) return;
    const p = at('spec.tracing', i);
    if (arr(t.providers).length > 1) out.push(warning(at(p, 'providers'), 'multiple providers is not currently supported'));
    out.push(...providers(at(p, 'providers'), t.providers));
    const pct = num(wrapped(t.randomSamplingPercentage)) ?? 0;
    if (pct < 0 || pct > 100) out.push(invalid(at(p, 'randomSamplingPercentage'), pct, 'randomSamplingPercentage must be in range [0.0, 100.0]'));
    for (const [name, tag] of entries(t.customTags)) {
      const tp = at(p, 'customTags', name);
      if (name === '') out.push(required(tp, 'tag name may not be empty'));
      if (!isObj(tag)) { out.push(required(tp, `tag '${name}' may not have a nil value`)); continue; }
      if (isObj(tag.literal) && str(tag.literal.value) === '') out.push(required(at(tp, 'literal', 'value'), 'literal tag value may not be empty'));
      if (isObj(tag.header) && str(tag.header.name) === '') out.push(required(at(tp, 'header', 'name'), 'header tag name may not be empty'));
      if (isObj(tag.environment) && str(tag.environment.name) === '') out.push(required(at(tp, 'environment', 'name'), 'environment tag name may not be empty'));
    }
  });
  return out;
}

export function validateTelemetry(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec = specOf(obj);
  const out = [...validateAttachment(spec), ...validateSelector('spec.selector', spec.selector, 'matchLabels'), ...metrics(spec.metrics), ...tracing(spec.tracing)];
  arr(spec.accessLogging).forEach((l, i) => {
    if (isObj(l)) out.push(...providers(at('spec.accessLogging', i, 'providers'), l.providers));
  });
  return out;
}

function wasmUrl(url: string): ValidationIssue[] {
  if (url === '') return [required('spec.url', 'url field needs to be set')];
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  const scheme = m ? (m[1] ?? '').toLowerCase() : '';
  return ['', 'file', 'http', 'https', 'oci'].includes(scheme) ? [] : [invalid('spec.url', url, `url must have schema one of [http, https, file, oci]; unsupported scheme: ${scheme}`)];
}

export function validateWasmPlugin(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec = specOf(obj);
  const out = [...validateAttachment(spec), ...validateSelector('spec.selector', spec.selector, 'matchLabels'), ...wasmUrl(str(spec.url))];
  const sha = str(spec.sha256);
  if (sha !== '' && !/^[a-f0-9]{64}$/.test(sha)) out.push(invalid('spec.sha256', sha, 'sha256 field must match [a-f0-9]{64} pattern'));
  if (str(spec.imagePullSecret).length > 253) out.push(invalid('spec.imagePullSecret', '...', 'imagePullSecret field must be less than 253 characters long'));
  if (str(spec.pluginName).length > 256) out.push(invalid('spec.pluginName', '...', 'pluginName field must be less than 255 characters long'));
  const names = new Set<string>();
  arr(isObj(spec.vmConfig) ? spec.vmConfig.env : undefined).forEach((e, i) => {
    if (!isObj(e)) return;
    const p = at('spec.vmConfig.env', i);
    const name = str(e.name);
    if (name === '') out.push(required(at(p, 'name'), 'env name must be set'));
    if (names.has(name)) out.push(issue(at(p, 'name'), 'Duplicate value', 'duplicate env', name));
    names.add(name);
    if ((str(e.valueFrom) || 'INLINE') !== 'INLINE' && str(e.value) !== '') out.push(issue(at(p, 'value'), 'Forbidden', 'value may only be set when valueFrom is INLINE'));
  });
  arr(spec.match).forEach((m, i) => {
    arr(isObj(m) ? m.ports : undefined).forEach((port, j) => {
      const n = isObj(port) ? port.number ?? 0 : 0;
      const err = checkPort(n);
      if (err) out.push(invalid(at('spec.match', i, 'ports', j, 'number'), n, err));
    });
  });
  return out;
}

export function validateProxyConfig(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec = specOf(obj);
  const out = validateSelector('spec.selector', spec.selector, 'matchLabels');
  const c = num(wrapped(spec.concurrency)) ?? 0;
  if (c < 0) out.push(invalid('spec.concurrency', c, 'concurrency must be greater than or equal to 0'));
  return out;
}

function probe(path: string, p: unknown): ValidationIssue[] {
  if (!isObj(p)) return [];
  const out: ValidationIssue[] = [];
  for (const f of ['periodSeconds', 'initialDelaySeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold']) {
    const n = num(p[f]) ?? 0;
    if (n < 0) out.push(invalid(at(path, f), n, `${f} must be non-negative`));
  }
  if (isObj(p.httpGet)) {
    const h = p.httpGet;
    const err = checkPort(h.port ?? 0);
    if (err) out.push(invalid(at(path, 'httpGet', 'port'), h.port ?? 0, err));
    const scheme = str(h.scheme);
    if (scheme !== '' && scheme !== 'HTTP' && scheme !== 'HTTPS') out.push(invalid(at(path, 'httpGet', 'scheme'), scheme, 'httpGet.scheme must be one of "HTTPS", "HTTP"'));
    arr(h.httpHeaders).forEach((hh, i) => {
      const herr = checkHeaderName(isObj(hh) ? str(hh.name) : '');
      if (herr) out.push(invalid(at(path, 'httpGet', 'httpHeaders', i, 'name'), isObj(hh) ? hh.name : hh, herr));
    });
  } else if (isObj(p.tcpSocket)) {
    const err = checkPort(p.tcpSocket.port ?? 0);
    if (err) out.push(invalid(at(path, 'tcpSocket', 'port'), p.tcpSocket.port ?? 0, err));
  } else if (isObj(p.exec)) {
    if (arr(p.exec.command).length === 0) out.push(required(at(path, 'exec', 'command'), 'exec.command is required'));
  } else out.push(required(path, 'a health check method (httpGet, tcpSocket or exec) is required'));
  return out;
}

export function validateWorkloadGroup(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec = specOf(obj);
  if (!isObj(spec.template)) return [required('spec.template', 'template is required')];
  const meta = isObj(spec.metadata) ? spec.metadata : {};
  return [...validateLabels('spec.metadata.labels', meta.labels), ...probe('spec.probe', spec.probe)];
}
