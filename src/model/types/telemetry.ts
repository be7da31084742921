/** telemetry.istio.io Telemetry and extensions.istio.io WasmPlugin. */
import type { Duration, MatchLabelsSelector, PolicyTargetReference } from './common.js';

export interface ProviderRef {
  name: string;
}

export interface MetricsOverrides {
  match?: { metric?: string; customMetric?: string; mode?: 'CLIENT_AND_SERVER' | 'CLIENT' | 'SERVER' };
  disabled?: boolean;
  tagOverrides?: Record<string, { operation?: 'UPSERT' | 'REMOVE'; value?: string }>;
}

export interface Metrics {
  providers?: ProviderRef[];
  overrides?: MetricsOverrides[];
  reportingInterval?: Duration;
}

export interface Tracing {
  match?: { mode?: 'CLIENT_AND_SERVER' | 'CLIENT' | 'SERVER' };
  providers?: ProviderRef[];
  randomSamplingPercentage?: number;
  disableSpanReporting?: boolean;
  useRequestIdForTraceSampling?: boolean;
  customTags?: Record<string, {
    literal?: { value: string };
    environment?: { name: string; defaultValue?: string };
    header?: { name: string; defaultValue?: string };
  }>;
}

export interface AccessLogging {
  match?: { mode?: 'CLIENT_AND_SERVER' | 'CLIENT' | 'SERVER' };
  providers?: ProviderRef[];
  disabled?: boolean;
  filter?: { expression: string };
}

export interface TelemetrySpec {
  selector?: MatchLabelsSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  tracing?: Tracing[];
  metrics?: Metrics[];
  accessLogging?: AccessLogging[];
}

export interface WasmPluginSpec {
  selector?: MatchLabelsSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  url: string;
  sha256?: string;
  imagePullPolicy?: 'UNSPECIFIED_POLICY' | 'IfNotPresent' | 'Always';
  imagePullSecret?: string;
  pluginConfig?: Record<string, unknown>;
  pluginName?: string;
  phase?: 'UNSPECIFIED_PHASE' | 'AUTHN' | 'AUTHZ' | 'STATS';
  priority?: number;
  failStrategy?: 'FAIL_CLOSE' | 'FAIL_OPEN' | 'FAIL_RELOAD';
  vmConfig?: { env?: { name: string; valueFrom?: 'INLINE' | 'HOST'; value?: string }[] };
  match?: { mode?: 'UNDEFINED' | 'CLIENT' | 'SERVER' | 'CLIENT_AND_SERVER'; ports?: { number: number }[] }[];
  type?: 'UNSPECIFIED_PLUGIN_TYPE' | 'HTTP' | 'NETWORK';
}
