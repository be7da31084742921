/**
 * The `values` key of the istio-sidecar-injector ConfigMap: Helm values the templates read.
 * Defaults are the istio-discovery chart's; a written value replaces the default field by field
 * (maps merge recursively, lists and scalars replace), and every field the injector reads is
 * type-checked with its path.
 */
import { invalid, type ValidationIssue } from '../lib/issue.js';
import { isObject, type JsonObject } from './k8s.js';

export interface ProxyValues {
  readonly image: string;
  readonly clusterDomain: string;
  readonly logLevel: string;
  readonly componentLogLevel: string;
  readonly privileged: boolean;
  readonly enableCoreDump: boolean;
  readonly includeIPRanges: string;
  readonly excludeIPRanges: string;
  readonly includeInboundPorts: string;
  readonly excludeInboundPorts: string;
  readonly includeOutboundPorts: string;
  readonly excludeOutboundPorts: string;
  readonly statusPort: number;
  readonly readinessInitialDelaySeconds: number;
  readonly readinessPeriodSeconds: number;
  readonly readinessFailureThreshold: number;
  readonly startupProbe: { readonly enabled: boolean; readonly failureThreshold: number };
  readonly resources?: JsonObject;
  readonly lifecycle?: JsonObject;
  readonly holdApplicationUntilProxyStarts: boolean;
  readonly capNetBindService: boolean;
  readonly outlierLogPath: string;
}

export interface InjectValues {
  readonly revision: string;
  readonly global: {
    readonly hub: string;
    readonly tag: string;
    readonly imagePullPolicy: string;
    readonly imagePullSecrets: readonly string[];
    readonly istioNamespace: string;
    readonly pilotCertProvider: string;
    readonly caAddress: string;
    readonly meshID: string;
    readonly network: string;
    readonly trustBundleName: string;
    readonly logAsJson: boolean;
    readonly logging: { readonly level: string };
    readonly multiCluster: { readonly clusterName: string };
    readonly sds: { readonly token: { readonly aud: string } };
    readonly sts: { readonly servicePort: number };
    readonly proxy: ProxyValues;
    readonly proxy_init: { readonly image: string; readonly forceApplyIptables: boolean };
  };
  /** istio-cni: iptables are programmed by the node agent; the pod only validates them. */
  readonly pilot: { readonly cni: { readonly enabled: boolean } };
  readonly sidecarInjectorWebhook: { readonly rewriteAppHTTPProbe: boolean };
  readonly gateways: { readonly securityContext?: JsonObject };
  readonly meshConfig: { readonly trustDomain?: string };
}

/** istio-discovery chart defaults (release hub/tag stand in for the chart's dev ones). */
export function defaultValues(): InjectValues {
  return {
    revision: '',
    global: {
      hub: 'docker.io/istio',
      tag: '1.23.2',
      imagePullPolicy: '',
      imagePullSecrets: [],
      istioNamespace: 'istio-system',
      pilotCertProvider: 'istiod',
      caAddress: '',
      meshID: '',
      network: '',
      trustBundleName: '',
      logAsJson: false,
      logging: { level: 'default:info' },
      multiCluster: { clusterName: '' },
      sds: { token: { aud: 'istio-ca' } },
      sts: { servicePort: 0 },
      proxy: {
        image: 'proxyv2',
        clusterDomain: 'cluster.local',
        logLevel: 'warning',
        componentLogLevel: 'misc:error',
        privileged: false,
        enableCoreDump: false,
        includeIPRanges: '*',
        excludeIPRanges: '',
        includeInboundPorts: '*',
        excludeInboundPorts: '',
        includeOutboundPorts: '',
        excludeOutboundPorts: '',
        statusPort: 15020,
        readinessInitialDelaySeconds: 0,
        readinessPeriodSeconds: 15,
        readinessFailureThreshold: 4,
        startupProbe: { enabled: true, failureThreshold: 600 },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } },
        holdApplicationUntilProxyStarts: false,
        capNetBindService: false,
        outlierLogPath: '',
      },
      proxy_init: { image: 'proxyv2', forceApplyIptables: false },
    },
    pilot: { cni: { enabled: false } },
    sidecarInjectorWebhook: { rewriteAppHTTPProbe: true },
    gateways: {},
    meshConfig: {},
  };
}

function mergeInto(base: JsonObject, written: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(written)) out[k] = isObject(v) && isObject(base[k]) ? mergeInto(base[k] as JsonObject, v) : v;
  return out;
}

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'string[]';

/** The fields the injector reads and their types; a Helm value may write a number as a string. */
const CHECKED: readonly [string, Kind][] = [
  ['revision', 'string'], ['global.hub', 'string'], ['global.tag', 'string'], ['global.imagePullPolicy', 'string'],
  ['global.imagePullSecrets', 'string[]'], ['global.istioNamespace', 'string'], ['global.pilotCertProvider', 'string'],
  ['global.caAddress', 'string'], ['global.meshID', 'string'], ['global.network', 'string'], ['global.trustBundleName', 'string'],
  ['global.logAsJson', 'boolean'], ['global.logging.level', 'string'], ['global.multiCluster.clusterName', 'string'],
  ['global.sds.token.aud', 'string'], ['global.sts.servicePort', 'number'], ['global.proxy.image', 'string'],
  ['global.proxy.clusterDomain', 'string'], ['global.proxy.logLevel', 'string'], ['global.proxy.componentLogLevel', 'string'],
  ['global.proxy.privileged', 'boolean'], ['global.proxy.enableCoreDump', 'boolean'], ['global.proxy.includeIPRanges', 'string'],
  ['global.proxy.excludeIPRanges', 'string'], ['global.proxy.includeInboundPorts', 'string'], ['global.proxy.excludeInboundPorts', 'string'],
  ['global.proxy.includeOutboundPorts', 'string'], ['global.proxy.excludeOutboundPorts', 'string'], ['global.proxy.statusPort', 'number'],
  ['global.proxy.readinessInitialDelaySeconds', 'number'], ['global.proxy.readinessPeriodSeconds', 'number'],
  ['global.proxy.readinessFailureThreshold', 'number'], ['global.proxy.startupProbe.enabled', 'boolean'],
  ['global.proxy.startupProbe.failureThreshold', 'number'], ['global.proxy.resources', 'object'], ['global.proxy.lifecycle', 'object'],
  ['global.proxy.holdApplicationUntilProxyStarts', 'boolean'], ['global.proxy.capNetBindService', 'boolean'],
  ['global.proxy.outlierLogPath', 'string'], ['global.proxy_init.image', 'string'],
  ['global.proxy_init.forceApplyIptables', 'boolean'], ['pilot.cni.enabled', 'boolean'],
  ['sidecarInjectorWebhook.rewriteAppHTTPProbe', 'boolean'], ['gateways.securityContext', 'object'], ['meshConfig.trustDomain', 'string'],
];

function checkField(root: JsonObject, path: string, kind: Kind, prefix: string, issues: ValidationIssue[]): void {
  const keys = path.split('.');
  let parent: JsonObject = root;
  for (const k of keys.slice(0, -1)) {
    const next = parent[k];
    if (next === undefined || next === null) return;
    if (!isObject(next)) return void issues.push(invalid(`${prefix}${keys.slice(0, keys.indexOf(k) + 1).join('.')}`, next, 'must be a map'));
    parent = next;
  }
  const last = keys[keys.length - 1]!;
  const v = parent[last];
  if (v === undefined || v === null) return;
  if (kind === 'number' && typeof v === 'string' && /^\d+$/.test(v)) return void (parent[last] = Number(v));
  if (kind === 'string' && (typeof v === 'number' || typeof v === 'boolean')) return void (parent[last] = String(v));
  const ok = kind === 'string[]' ? Array.isArray(v) && v.every((s) => typeof s === 'string') : kind === 'object' ? isObject(v) : typeof v === kind;
  if (!ok) issues.push(invalid(`${prefix}${path}`, v, `must be ${kind === 'string[]' ? 'a list of strings' : kind === 'object' ? 'a map' : `a ${kind}`}`));
}

/** Written values over the defaults; `prefix` names the source in field paths (e.g. `values.`). */
export function buildValues(written: unknown, prefix = ''): { values: InjectValues; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  if (written !== undefined && written !== null && !isObject(written)) {
    return { values: defaultValues(), issues: [invalid(prefix.replace(/\.$/, '') || '<values>', written, 'values must be a map')] };
  }
  const merged = mergeInto(defaultValues() as unknown as JsonObject, isObject(written) ? structuredClone(written) : {});
  for (const [path, kind] of CHECKED) checkField(merged, path, kind, prefix, issues);
  return { values: merged as unknown as InjectValues, issues };
}
