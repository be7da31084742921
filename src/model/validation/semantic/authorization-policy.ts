/** AuthorizationPolicy: action/provider shapes, rule sources and operations, `when` conditions. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import { arr, isObj, present, str, at, type Obj, validateAttachment, validateSelector } from '../rules/index.js';
import type { SemanticContext } from './index.js';
import { checkAttribute, checkIPList, checkPathTemplates, checkPortList } from './authz-attributes.js';

const SOURCE_FIELDS = ['principals', 'requestPrincipals', 'namespaces', 'serviceAccounts', 'ipBlocks', 'remoteIpBlocks', 'notPrincipals', 'notRequestPrincipals', 'notNamespaces', 'notServiceAccounts', 'notIpBlocks', 'notRemoteIpBlocks'];
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const OP_FIELDS = ['ports', 'methods', 'paths', 'hosts', 'notPorts', 'notMethods', 'notPaths', 'notHosts'];
const CUSTOM_UNSUPPORTED = ['namespaces', 'notNamespaces', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'];

function emptyValues(path: string, rec: Obj, fields: readonly string[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const f of fields) {
    arr(rec[f]).forEach((v, i) => {
      if (str(v) === '') out.push(invalid(at(path, f, i), '', `empty value not allowed, found in ${f}`));
    });
  }
  return out;
}

function validateSource(path: string, src: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!SOURCE_FIELDS.some((f) => arr(src[f]).length > 0)) out.push(required(path, '`from.source` must not be empty'));
  for (const f of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) out.push(...checkIPList(at(path, f), src[f]));
  out.push(...emptyValues(path, src, SOURCE_FIELDS));
  return out;
}

function validateOperation(path: string, op: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!OP_FIELDS.some((f) => arr(op[f]).length > 0)) out.push(required(path, '`to.operation` must not be empty'));
  out.push(...checkPortList(at(path, 'ports'), op.ports), ...checkPortList(at(path, 'notPorts'), op.notPorts));
  out.push(...emptyValues(path, op, OP_FIELDS));
  out.push(...checkPathTemplates(at(path, 'paths'), op.paths), ...checkPathTemplates(at(path, 'notPaths'), op.notPaths));
  return out;
}

function validateWhen(path: string, list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(list).forEach((c, i) => {
    const p = at(path, i);
    if (!isObj(c)) return void out.push(required(p, 'when field cannot be nil'));
    const key = str(c.key);
    if (key === '') return void out.push(required(at(p, 'key'), '`key` must not be empty'));
    const values = arr(c.values).map(str);
    const notValues = arr(c.notValues).map(str);
    if (values.length === 0 && notValues.length === 0) return void out.push(required(p, `at least one of values or notValues must be set for key ${key}`));
    const err = checkAttribute(key, values) ?? checkAttribute(key, notValues);
    if (err) out.push(invalid(at(p, 'key'), key, err));
  });
  return out;
}

function validateRule(path: string, rule: unknown, action: string): ValidationIssue[] {
  if (!isObj(rule)) return [required(path, '`rule` must not be nil')];
  const out: ValidationIssue[] = [];
  if (Array.isArray(rule.from) && rule.from.length === 0) out.push(required(at(path, 'from'), '`from` must not be empty'));
  if (Array.isArray(rule.to) && rule.to.length === 0) out.push(required(at(path, 'to'), '`to` must not be empty'));
  let fromExists = false, toExists = false, tcpInFrom = false, tcpInTo = false;
  arr(rule.from).forEach((f, i) => {
    const fp = at(path, 'from', i);
    if (!isObj(f) || !isObj(f.source)) return void out.push(required(at(fp, 'source'), '`from.source` must not be nil'));
    fromExists = true;
    out.push(...validateSource(at(fp, 'source'), f.source));
    const source = f.source;
    if (TCP_SOURCE_FIELDS.some((k) => present(source[k]))) tcpInFrom = true;
    if (action === 'CUSTOM') {
      for (const k of CUSTOM_UNSUPPORTED) if (arr(source[k]).length > 0) out.push(issue(at(fp, 'source', k), 'Forbidden', `${k} is currently not supported with CUSTOM action`));
    }
  });
  arr(rule.to).forEach((t, i) => {
    const tp = at(path, 'to', i);
    if (!isObj(t) || !isObj(t.operation)) return void out.push(required(at(tp, 'operation'), '`to.operation` must not be nil'));
    toExists = true;
    out.push(...validateOperation(at(tp, 'operation'), t.operation));
    if (present(t.operation.ports) || present(t.operation.notPorts)) tcpInTo = true;
  });
  out.push(...validateWhen(at(path, 'when'), rule.when));
  if (action === 'CUSTOM') {
    arr(rule.when).forEach((c, i) => {
      const key = isObj(c) ? str(c.key) : '';
      if (key === 'source.namespace' || key === 'source.principal' || key.startsWith('request.auth.')) {
        out.push(issue(at(path, 'when', i, 'key'), 'Forbidden', `${key} is currently not supported with CUSTOM action`));
      }
    });
  }
  if (action === 'DENY' && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) {
    out.push(warning(path, 'configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port'));
  }
  return out;
}

export function validateAuthorizationPolicy(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const action = str(spec.action) || 'ALLOW';
  const out = [...validateAttachment(spec), ...validateSelector('spec.selector', spec.selector, 'matchLabels')];
  const rules = spec.rules;
  if (action === 'CUSTOM') {
    if (!present(rules)) out.push(required('spec.rules', 'CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request'));
    else if (!isObj(spec.provider) || str(spec.provider.name) === '') out.push(required('spec.provider.name', '`provider.name` must not be empty'));
  }
  if (present(spec.provider) && action !== 'CUSTOM') out.push(issue('spec.provider', 'Forbidden', `\`provider\` must not be with non CUSTOM action, found ${action}`));
  if (action === 'DENY' && !present(rules)) {
    out.push(required('spec.rules', 'DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request'));
  }
  arr(rules).forEach((r, i) => out.push(...validateRule(at('spec.rules', i), r, action)));
  out.push(...dryRun(obj, action));
  return out;
}

function dryRun(obj: ConfigObject, action: string): ValidationIssue[] {
  const value = obj.metadata?.annotations?.['istio.io/dry-run'];
  if (value === undefined) return [];
  const p = 'metadata.annotations[istio.io/dry-run]';
  if (action !== 'ALLOW' && action !== 'DENY') return [invalid(p, value, `the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action ${action}`)];
  return /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(value) ? [] : [invalid(p, value, 'must be a boolean')];
}
