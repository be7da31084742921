/**
 * Renders one gateway golden case. testdata/base.yaml (the ingress gateway's Service and pod,
 * and the `default/reviews` and `default/productpage` services) is loaded before the case's
 * in.yaml; proxy.yaml optionally overrides the router node (metadata merged key by key over
 * DEFAULT_ROUTER_NODE); mesh.yaml and features.yaml as in the sidecar goldens. Like an
 * istio-agent Envoy, the render asks LDS and CDS wildcard, then RDS for every route
 * configuration the listeners name and EDS for every EDS cluster.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { withGatewayApiObjects } from '../../../src/model/gateway-api/derived-store.js';
import { parseProxy } from '../../../src/model/proxy.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import type { GatewayFeatures } from '../../../src/translate/gateway/features.js';
import { createGatewayGenerator } from '../../../src/translate/gateway/index.js';
import { objectsFrom } from '../../unit/translate/grpc-fixtures.js';
import { meshFor, renderWith, type Rendered } from '../translate-sidecar/render.js';
import { caBundlesFor, renderCaBundleSecrets } from './render-sds.js';

type Json = Record<string, unknown>;

export const DEFAULT_ROUTER_NODE = Object.freeze({
  metadata: { NAMESPACE: 'istio-system', LABELS: { istio: 'ingressgateway', app: 'istio-ingressgateway' }, INSTANCE_IPS: '10.0.0.50' },
  locality: { region: 'r1', zone: 'z1' },
});

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

export function routerNode(proxyYaml: string | undefined): Json {
  const given = (proxyYaml ? parse(proxyYaml) : {}) as { id?: string; metadata?: Json; locality?: Json };
  const metadata = { ...DEFAULT_ROUTER_NODE.metadata, ...given.metadata } as Json;
  const ns = String(metadata.NAMESPACE);
  const ip = String(metadata.INSTANCE_IPS).split(',')[0];
  return { id: given.id ?? `router~${ip}~gateway-0.${ns}~${ns}.svc.cluster.local`, metadata, locality: given.locality ?? DEFAULT_ROUTER_NODE.locality };
}


export function renderGatewayCase(dir: string): Rendered {
  const mesh = meshFor(readIfExists(join(dir, 'mesh.yaml')), join(dir, 'mesh.yaml'));
  const options = registryOptions({ rootNamespace: mesh.rootNamespace, defaultServiceExportTo: mesh.defaultServiceExportTo, defaultVirtualServiceExportTo: mesh.defaultVirtualServiceExportTo, defaultDestinationRuleExportTo: mesh.defaultDestinationRuleExportTo });
  const base = readFileSync(join(dirname(dir), 'base.yaml'), 'utf8');
  // Gateway API objects become Istio Gateways and VirtualServices first, as in the daemon's store.
  const objects = withGatewayApiObjects(objectsFrom(`${base}\n---\n${readFileSync(join(dir, 'in.yaml'), 'utf8')}`));
  const snapshot = buildSnapshot(objects, undefined, options);
  const parsed = parseProxy(routerNode(readIfExists(join(dir, 'proxy.yaml'))));
  assert.ok(parsed.ok, `proxy.yaml: ${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
  const features = readIfExists(join(dir, 'features.yaml'));
  const caBundles = caBundlesFor(dir); // configmaps.yaml: also render the CA bundle secrets (SDS)
  const gen = createGatewayGenerator({ mesh, features: features === undefined ? undefined : (parse(features) as Partial<GatewayFeatures>), ...(caBundles ? { caBundles: () => caBundles.index() } : {}) });
  const rendered = renderWith(gen, snapshot, parsed.value);
  return caBundles ? { ...rendered, files: { ...rendered.files, ...renderCaBundleSecrets(gen, snapshot, parsed.value, rendered.clusters) } } : rendered;
}
