/**
 * istiod feature flags (environment variables on the istiod pod) that change what sidecars
 * get. Read once by cli/ into Options and handed to the generator; the defaults are Istio's.
 */
export interface SidecarFeatures {
  /** ENABLE_TLS_ON_SIDECAR_INGRESS: terminate TLS per Sidecar `ingress[].tls` (off in Istio by default). */
  readonly tlsOnSidecarIngress: boolean;
}

export const DEFAULT_SIDECAR_FEATURES: SidecarFeatures = Object.freeze({ tlsOnSidecarIngress: false });
