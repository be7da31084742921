/**
 * The gateway-SDS world, in process: openssl-made certificates (a CA, a server certificate for
 * a.example.com/b.example.com, a client certificate, istiod's serving certificate), Kubernetes
 * Secrets as the Secret cache holds them, and a Gateway + VirtualService for three servers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertSecret, type KubeSecret } from '../../../src/sources/kubernetes/secret-convert.js';

export interface Pems {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly otherKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly istiodCert: string;
  readonly istiodKey: string;
}

function run(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

function leaf(dir: string, name: string, subject: string, san: string): void {
  run(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-key.pem`, '-subj', subject, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
  run(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca-cert.pem', '-CAkey', 'ca-key.pem', '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}-cert.pem`]);
}

export function makePems(): Pems {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-sds-'));
  try {
    run(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca-cert.pem', '-days', '2', '-subj', '/CN=Gateway Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    leaf(dir, 'server', '/CN=a.example.com', 'DNS:a.example.com,DNS:b.example.com,DNS:c.example.com');
    leaf(dir, 'client', '/CN=client', 'DNS:client.example.com');
    leaf(dir, 'istiod', '/CN=istiod', 'DNS:istiod.istio-system.svc');
    run(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other-key.pem']);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      caCert: read('ca-cert.pem'), serverCert: read('server-cert.pem'), serverKey: read('server-key.pem'), otherKey: read('other-key.pem'),
      clientCert: read('client-cert.pem'), clientKey: read('client-key.pem'), istiodCert: read('istiod-cert.pem'), istiodKey: read('istiod-key.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Secret as the informer's transform delivers it to the Secret cache. */
export function secret(namespace: string, name: string, data: Record<string, string>, type = 'Opaque'): KubeSecret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return convertSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, resourceVersion: String(Date.now()) }, type, data: encoded });
}

export const GATEWAY_YAML = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: istio-system}
spec: {clusterIP: 10.96.0.20, selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https-a, protocol: HTTPS}
    hosts: [a.example.com]
    tls: {mode: SIMPLE, credentialName: cred-a, minProtocolVersion: TLSV1_3}
  - port: {number: 443, name: https-c, protocol: HTTPS}
    hosts: [c.example.com]
    tls: {mode: SIMPLE, credentialName: cred-bad}
  - port: {number: 8443, name: https-b, protocol: HTTPS}
    hosts: [b.example.com]
    tls: {mode: MUTUAL, credentialName: cred-m}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: istio-system}
spec:
  hosts: ["*"]
  gateways: [gw]
  http: [{route: [{destination: {host: web.istio-system.svc.cluster.local, port: {number: 8080}}}]}]
`;
