/** ServerTLSSettings of Gateway servers and Sidecar ingress listeners. */
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import { arr, isObj, str, at } from '../rules/index.js';

const CIPHERS = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA',
]);

/** Names starting with an operator (`-`, `+`, `!`, `[`) are passed through, as Istio does. */
export function isValidCipherSuite(cs: string): boolean {
  if (cs === '' || cs === 'ALL') return true;
  if (!/^[\p{L}\p{N}]/u.test(cs)) return true;
  return CIPHERS.has(cs);
}

const TLS_ORDER = ['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'];

function cipherWarnings(path: string, suites: string[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const invalidOnes = [...new Set(suites.filter((c) => !isValidCipherSuite(c)))].sort();
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const c of suites) {
    if (!isValidCipherSuite(c)) continue;
    if (seen.has(c)) dups.add(c);
    seen.add(c);
  }
  if (invalidOnes.length > 0) out.push(warning(path, `ignoring invalid cipher suites: [${invalidOnes.join(' ')}]`, invalidOnes.join(',')));
  if (dups.size > 0) out.push(warning(path, `ignoring duplicate cipher suites: [${[...dups].sort().join(' ')}]`, [...dups].join(',')));
  return out;
}

function certificateRules(path: string, tls: Readonly<Record<string, unknown>>, mode: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const has = (f: string): boolean => str(tls[f]) !== '';
  const need = (f: string, detail: string): void => {
    if (!has(f)) out.push(required(at(path, f), detail));
  };
  if (mode === 'SIMPLE') {
    need('serverCertificate', 'SIMPLE TLS requires a server certificate (or credentialName)');
    need('privateKey', 'SIMPLE TLS requires a private key (or credentialName)');
  } else if (mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
    need('serverCertificate', 'MUTUAL TLS requires a server certificate (or credentialName)');
    need('privateKey', 'MUTUAL TLS requires a private key (or credentialName)');
    need('caCertificates', 'MUTUAL TLS requires a client CA bundle (or credentialName)');
  }
  if (has('caCrl') && mode === 'SIMPLE') out.push(issue(at(path, 'caCrl'), 'Forbidden', 'CRL is not supported with SIMPLE TLS'));
  return out;
}

export function validateServerTLS(path: string, tls: unknown): ValidationIssue[] {
  if (!isObj(tls)) return [];
  const out: ValidationIssue[] = [];
  const mode = str(tls.mode) || 'PASSTHROUGH';
  const has = (f: string): boolean => str(tls[f]) !== '' || (f === 'credentialName' && arr(tls.credentialNames).length > 0);
  const suites = arr(tls.cipherSuites).map(str);
  const minV = str(tls.minProtocolVersion);
  const maxV = str(tls.maxProtocolVersion);
  if ((minV === 'TLSV1_0' || minV === 'TLSV1_1') && suites.length === 0) {
    out.push(warning(at(path, 'minProtocolVersion'), 'TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers', minV));
  }
  if (minV && maxV && minV !== 'TLS_AUTO' && maxV !== 'TLS_AUTO' && TLS_ORDER.indexOf(minV) > TLS_ORDER.indexOf(maxV)) {
    out.push(invalid(at(path, 'minProtocolVersion'), minV, `minProtocolVersion must not be higher than maxProtocolVersion (${maxV})`));
  }
  out.push(...cipherWarnings(at(path, 'cipherSuites'), suites));
  if (mode === 'ISTIO_MUTUAL') {
    for (const f of ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName']) {
      if (has(f)) out.push(issue(at(path, f), 'Forbidden', `ISTIO_MUTUAL TLS cannot have associated ${f}`));
    }
    return out;
  }
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
    if (['caCrl', 'serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].some(has)) {
      out.push(warning(path, `${mode} mode does not use certificates, they will be ignored`, mode));
    }
  }
  // With credentialName the certificates come from a Secret; nothing else is required.
  if (has('credentialName') && (mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL')) return out;
  if (has('credentialName') && has('caCrl')) {
    out.push(issue(at(path, 'caCrl'), 'Forbidden', 'CRL is not supported with credentialName. CRL has to be specified in the credential'));
  }
  out.push(...certificateRules(path, tls, mode));
  return out;
}
