/** node:https requests to the webhook port, verifying the server certificate against the CA root with SAN istiod.istio-system.svc. */
import { request, Agent } from 'node:https';
import { applyPatch } from '../../golden/inject/apply-patch.js';

export const ISTIOD_SAN = 'istiod.istio-system.svc';

export interface WebhookClient {
  post(path: string, body: string | Buffer, contentType?: string): Promise<{ status: number; body: string }>;
  get(path: string): Promise<{ status: number; body: string; peerSans: string }>;
  close(): void;
}

export function webhookClient(port: number, rootPem: string): WebhookClient {
  // servername: SNI and the name checked against the certificate's SANs (the connection goes to 127.0.0.1).
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca: rootPem, servername: ISTIOD_SAN });
  const send = (method: string, path: string, body?: string | Buffer, contentType = 'application/json') =>
    new Promise<{ status: number; body: string; peerSans: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, agent, headers: body !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), peerSans: peer?.subjectaltname ?? '' }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    post: (path, body, contentType) => send('POST', path, body, contentType),
    get: (path) => send('GET', path),
    close: () => agent.destroy(),
  };
}

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  patch?: string;
  patchType?: string;
  status?: { code: number; message: string };
  warnings?: string[];
}

export function admissionReview(uid: string, object: Record<string, unknown>, namespace: string, operation = 'CREATE'): string {
  const apiVersion = String(object.apiVersion ?? 'v1');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid, kind: { group, version, kind: object.kind }, operation, namespace, object } });
}

export function responseOf(body: string): ReviewResponse {
  const review = JSON.parse(body) as { apiVersion: string; kind: string; response: ReviewResponse };
  if (review.kind !== 'AdmissionReview' || review.apiVersion !== 'admission.k8s.io/v1') throw new Error(`not an AdmissionReview: ${body.slice(0, 200)}`);
  return review.response;
}

export function patched<T>(input: T, response: ReviewResponse): T {
  if (!response.patch) return input;
  return applyPatch(input, JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'))) as T;
}
