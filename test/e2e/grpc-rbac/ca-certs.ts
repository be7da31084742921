/**
 * Workload certificates issued by this project's CA code (src/security/ca): a self-signed
 * workload CA signs each workload's CSR for its service account, exactly what CreateCertificate
 * does after authenticating the caller. Written as the three files gRPC's file_watcher
 * certificate provider reads (cert-chain.pem, key.pem, root-cert.pem), as Istio's agent does.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCsr, createSelfSignedWorkloadCa, type ManagedWorkloadCa } from '../../../src/security/ca/index.js';
import type { CertFiles } from '../grpc-mtls/certs.js';

export interface TestCa {
  /** Issues a certificate for spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount> into `<dir>/<name>/`. */
  issue(name: string, namespace: string, serviceAccount: string): Promise<CertFiles>;
  close(): Promise<void>;
}

const pem = (blocks: readonly string[]) => blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');

export async function startTestCa(dir: string, trustDomain = 'cluster.local'): Promise<TestCa> {
  const ca: ManagedWorkloadCa = await createSelfSignedWorkloadCa({ trustDomain, rootKeyType: 'ec-p256', signingWorkers: 0 });
  return {
    async issue(name, namespace, serviceAccount) {
      const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const chain = await ca.sign({ csrPem: createCsr(keys), identity: { namespace, serviceAccount }, requestedTtlSeconds: 3600 });
      const at = join(dir, name);
      mkdirSync(at, { recursive: true });
      const files: CertFiles = { certificate_file: join(at, 'cert-chain.pem'), private_key_file: join(at, 'key.pem'), ca_certificate_file: join(at, 'root-cert.pem') };
      writeFileSync(files.certificate_file, pem(chain));
      writeFileSync(files.private_key_file, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      writeFileSync(files.ca_certificate_file, pem(ca.roots()));
      return files;
    },
    close: () => ca.close(),
  };
}
