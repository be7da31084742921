/**
 * A fresh workload key and its CSR for every certificate (as istio-agent: a renewal never
 * reuses the old key). The CSR names no identity: the CA takes it from the caller's token.
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { createCsr } from '../security/ca/index.js';
import type { WorkloadKeyType } from './options.js';

export interface WorkloadKey {
  readonly privateKeyPem: string;
  readonly csrPem: string;
}

const generate = promisify(generateKeyPair);

async function keyPair(type: WorkloadKeyType): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  if (type.algorithm === 'RSA') return generate('rsa', { modulusLength: type.bits });
  return generate('ec', { namedCurve: type.curve === 'P384' ? 'secp384r1' : 'prime256v1' });
}

/** Generates the key off the event loop (node:crypto's thread pool) and signs a CSR with it. */
export async function newWorkloadKey(type: WorkloadKeyType): Promise<WorkloadKey> {
  const pair = await keyPair(type);
  return {
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    csrPem: createCsr(pair),
  };
}

/** A short description for logs: "ECDSA P256" or "RSA 2048". */
export function describeKeyType(type: WorkloadKeyType): string {
  return type.algorithm === 'RSA' ? `RSA ${type.bits}` : `ECDSA ${type.curve}`;
}
