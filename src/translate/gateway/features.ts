/** istiod feature flags that change what gateways get; the defaults are Istio's. */
export interface GatewayFeatures {
  /** PILOT_SCOPE_GATEWAY_TO_NAMESPACE: only Gateways in the proxy's own namespace select it (Istio: false). */
  readonly scopeGatewayToNamespace: boolean;
}

export const DEFAULT_GATEWAY_FEATURES: GatewayFeatures = Object.freeze({ scopeGatewayToNamespace: false });
