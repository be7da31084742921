/**
 * The TLS-only gRPC server (15012) that may carry the CA service, and its serving credentials.
 * TlsOnlyServer refuses to bind plaintext, so registering the CA service on it guarantees the
 * service is never reachable without TLS (a grpc-js service is exposed on every bound port).
 * Client certificates are requested and verified against the CA roots when sent, never
 * required: token-authenticated callers have none.
 */
import * as grpc from '@grpc/grpc-js';

export interface ServingKeyMaterial {
  /** istiod's serving certificate chain (PEM, leaf first). */
  readonly certChainPem: string;
  readonly keyPem: string;
  /** Roots that verify client certificates (PEM bundle). */
  readonly rootsPem: string;
}

export interface ServingCredentials {
  readonly credentials: grpc.ServerCredentials;
  /** Swaps the certificate, key and client roots for new handshakes (renewal, root rotation). */
  update(material: ServingKeyMaterial): void;
}

type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** One provider serving both the identity and the CA update streams, fed by update(). */
export function createServingCredentials(initial: ServingKeyMaterial): ServingCredentials {
  let current = initial;
  const caListeners = new Set<CaListener>();
  const identityListeners = new Set<IdentityListener>();
  const caUpdate = () => ({ caCertificate: Buffer.from(current.rootsPem) });
  const identityUpdate = () => ({ certificate: Buffer.from(current.certChainPem), privateKey: Buffer.from(current.keyPem) });
  const provider: grpc.experimental.CertificateProvider = {
    // grpc-js subscribes before it registers its own watcher, so the first update must come
    // asynchronously or the server would never see it (and drop every connection).
    addCaCertificateListener(listener) {
      caListeners.add(listener);
      process.nextTick(() => caListeners.has(listener) && listener(caUpdate()));
    },
    removeCaCertificateListener: (listener) => void caListeners.delete(listener),
    addIdentityCertificateListener(listener) {
      identityListeners.add(listener);
      process.nextTick(() => identityListeners.has(listener) && listener(identityUpdate()));
    },
    removeIdentityCertificateListener: (listener) => void identityListeners.delete(listener),
  };
  // The same provider for both roles: grpc-js's parameter names and roles have differed across versions.
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
  return {
    credentials,
    update(material) {
      current = material;
      for (const listener of caListeners) listener(caUpdate());
      for (const listener of identityListeners) listener(identityUpdate());
    },
  };
}

/** grpc-js's default, stated explicitly: the CA refuses requests over 4 MiB. */
export const MAX_CA_REQUEST_BYTES = 4 * 1024 * 1024;

export class TlsOnlyServer extends grpc.Server {
  constructor(options: grpc.ServerOptions = {}) {
    super({ 'grpc.max_receive_message_length': MAX_CA_REQUEST_BYTES, ...options });
  }

  override bindAsync(port: string, creds: grpc.ServerCredentials, callback: (error: Error | null, port: number) => void): void {
    if (!creds._isSecure()) {
      process.nextTick(() => callback(new Error(`refusing to bind ${port} without TLS: this server carries the CA service`), -1));
      return;
    }
    super.bindAsync(port, creds, callback);
  }
}

/** Binds a TlsOnlyServer and resolves with the bound port. */
export function bindTls(server: TlsOnlyServer, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port))));
}
