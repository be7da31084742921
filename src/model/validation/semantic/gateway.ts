/** Gateway: servers with ports, hosts, bind addresses and TLS settings. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, isObj, num, str, at, type Obj,
  checkIP, checkNamespaceScopedHost, checkPort, isDNS1123Label, isHTTPProtocol, isTLSProtocol, parseProtocol,
} from '../rules/index.js';
import type { SemanticContext } from './index.js';
import { validateServerTLS } from './server-tls.js';
import { checkUnixAddress } from './unix-address.js';

const UNIX = 'unix://';

function validatePort(path: string, port: unknown, bind: string): ValidationIssue[] {
  if (!isObj(port)) return [required(path, 'port is required')];
  const out: ValidationIssue[] = [];
  const protocol = str(port.protocol);
  if (!parseProtocol(protocol)) {
    out.push(invalid(at(path, 'protocol'), protocol, 'invalid protocol, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP, HTTPS, TLS'));
  }
  const n = num(port.number) ?? 0;
  if (n > 0 || !bind.startsWith(UNIX)) {
    const err = checkPort(n);
    if (err) out.push(invalid(at(path, 'number'), n, err));
  }
  if ((num(port.targetPort) ?? 0) > 0) out.push(issue(at(path, 'targetPort'), 'Forbidden', 'targetPort has no impact on Gateways'));
  if (str(port.name) === '') out.push(required(at(path, 'name'), 'port name must be set'));
  return out;
}

function validateBind(path: string, port: unknown, bind: string): ValidationIssue[] {
  if (bind.startsWith(UNIX)) {
    const out: ValidationIssue[] = [];
    const err = checkUnixAddress(bind.slice(UNIX.length));
    if (err) out.push(invalid(at(path, 'bind'), bind, err));
    const n = isObj(port) ? num(port.number) ?? 0 : 0;
    if (n !== 0) out.push(invalid(at(path, 'port', 'number'), n, 'port number must be 0 for unix domain socket'));
    return out;
  }
  const err = bind !== '' ? checkIP(bind) : undefined;
  return err ? [invalid(at(path, 'bind'), bind, err)] : [];
}

function tlsForProtocol(path: string, server: Obj): ValidationIssue[] {
  const port = isObj(server.port) ? server.port : {};
  const p = parseProtocol(str(port.protocol));
  const tls = isObj(server.tls) ? server.tls : undefined;
  if (isTLSProtocol(p) && !tls) return [required(at(path, 'tls'), 'server must have TLS settings for HTTPS/TLS protocols')];
  if (isTLSProtocol(p) || !tls) return [];
  if (!isHTTPProtocol(p)) return [issue(at(path, 'tls'), 'Forbidden', 'server cannot have TLS settings for non HTTPS/TLS ports')];
  // A plain-text HTTP server may only carry httpsRedirect.
  const mode = str(tls.mode) || 'PASSTHROUGH';
  const certs = ['caCertificates', 'privateKey', 'serverCertificate'].some((f) => str(tls[f]) !== '');
  return mode !== 'PASSTHROUGH' || certs ? [issue(at(path, 'tls'), 'Forbidden', 'server cannot have TLS settings for plain text HTTP ports')] : [];
}

function validateServer(path: string, server: unknown): ValidationIssue[] {
  if (!isObj(server)) return [required(path, 'cannot have nil server')];
  const out: ValidationIssue[] = [];
  const hosts = arr(server.hosts).map(str);
  if (hosts.length === 0) out.push(required(at(path, 'hosts'), 'server config must contain at least one host'));
  hosts.forEach((h, i) => {
    for (const err of checkNamespaceScopedHost(h, true)) out.push(invalid(at(path, 'hosts', i), h, err));
  });
  const bind = str(server.bind);
  const portIssues = validatePort(at(path, 'port'), server.port, bind);
  out.push(...portIssues, ...validateBind(path, server.port, bind), ...validateServerTLS(at(path, 'tls'), server.tls));
  if (portIssues.length === 0) out.push(...tlsForProtocol(path, server));
  return out;
}

export function validateGateway(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const out: ValidationIssue[] = [];
  const name = obj.metadata?.name ?? '';
  if (!isDNS1123Label(name)) out.push(invalid('metadata.name', name, 'invalid gateway name: must be a DNS label (no dots)'));
  const servers = arr(spec.servers);
  if (servers.length === 0) out.push(required('spec.servers', 'gateway must have at least one server'));
  servers.forEach((s, i) => out.push(...validateServer(at('spec.servers', i), s)));
  const names = new Set<string>();
  servers.forEach((s, i) => {
    if (!isObj(s) || !isObj(s.port)) return;
    const portName = str(s.port.name);
    if (names.has(portName)) out.push(issue(at('spec.servers', i, 'port', 'name'), 'Duplicate value', 'port names in servers must be unique', portName));
    names.add(portName);
    if (!isHTTPProtocol(parseProtocol(str(s.port.protocol))) && isObj(s.tls) && s.tls.httpsRedirect === true) {
      out.push(warning(at('spec.servers', i, 'tls', 'httpsRedirect'), 'tls.httpsRedirect should only be used with http servers', true));
    }
  });
  return out;
}
