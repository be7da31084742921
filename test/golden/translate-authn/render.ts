/**
 * Renders one authn golden case: workload.yaml (shared sidecar workload) + testdata/<case>/in.yaml
 * → everything the proxy subscribes to (LDS, CDS, RDS, EDS), from which out/authn.yaml keeps what
 * RequestAuthentication (and the AuthorizationPolicies reading its payload) decide: the first
 * inbound HTTP manager's filter order, its jwt_authn filter and its RBAC filters. Optional:
 *   proxy.yaml  a node; `id: router~...` renders a gateway with the gateway generator;
 *   jwks.yaml   the JWKS lookup: `version`, and `entries` mapping jwksUri → {jwks} or {reason};
 *   mesh.yaml   MeshConfig overrides.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { withGatewayApiObjects } from '../../../src/model/gateway-api/derived-store.js';
import { parseProxy } from '../../../src/model/proxy.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import type { JwksEntry, JwksLookup } from '../../../src/translate/common/authn/jwks-lookup.js';
import { createGatewayGenerator } from '../../../src/translate/gateway/index.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import type { XdsResource } from '../../../src/translate/types.js';
import { objectsFrom } from '../../unit/translate/grpc-fixtures.js';
import { routerNode } from '../translate-gateway/render.js';
import { meshFor, nodeFor, renderWith, type Rendered } from '../translate-sidecar/render.js';

type Json = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(here, '../../../../test/golden/translate-authn');
const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

export const HCM = 'envoy.filters.network.http_connection_manager';
export const JWT = 'envoy.filters.http.jwt_authn';

export interface AuthnRendered extends Rendered {
  readonly router: boolean;
}

/** jwks.yaml → a lookup (no file: nothing fetched). */
export function lookupFrom(text: string | undefined): JwksLookup {
  const given = (text ? parse(text) : {}) as { version?: string; entries?: Record<string, { jwks?: string; reason?: string }> };
  const entries = new Map<string, JwksEntry>();
  for (const [uri, e] of Object.entries(given.entries ?? {})) entries.set(uri, e.jwks !== undefined ? { ok: true, jwks: e.jwks } : { ok: false, reason: e.reason ?? '' });
  return { get: (uri) => entries.get(uri), version: given.version ?? '1' };
}

/** Every HTTP manager's http_filters, by `<listener>/<chain>`. */
export function httpManagers(listeners: readonly XdsResource[]): { chain: string; filters: Json[] }[] {
  const out: { chain: string; filters: Json[] }[] = [];
  for (const l of listeners) {
    for (const chain of (l.body.filter_chains ?? []) as Json[]) {
      const hcm = ((chain.filters ?? []) as Json[]).find((f) => f.name === HCM);
      if (hcm) out.push({ chain: `${l.name}/${String(chain.name ?? '')}`, filters: ((hcm.typed_config as Json).http_filters ?? []) as Json[] });
    }
  }
  return out;
}

/** The managers authentication applies to: inbound ones on a sidecar, all on a gateway. */
export function authenticatedManagers(out: AuthnRendered) {
  return httpManagers(out.listeners).filter((m) => out.router || m.chain.startsWith('virtualInbound/'));
}

function summary(out: AuthnRendered): Json {
  const first = authenticatedManagers(out)[0];
  if (!first) return { http: null };
  const pick = (pred: (f: Json) => boolean) => first.filters.filter(pred);
  return { http: { order: first.filters.map((f) => f.name), jwt_authn: pick((f) => f.name === JWT)[0] ?? null, rbac: pick((f) => String(f.name).endsWith('.rbac')) } };
}

export function renderAuthnCase(dir: string): { files: Record<string, string>; result: AuthnRendered } {
  const mesh = meshFor(readIfExists(join(dir, 'mesh.yaml')), join(dir, 'mesh.yaml'));
  const text = `${readFileSync(join(sourceDir, 'workload.yaml'), 'utf8')}\n---\n${readFileSync(join(dir, 'in.yaml'), 'utf8')}`;
  const snapshot = buildSnapshot(withGatewayApiObjects(objectsFrom(text)), undefined, registryOptions({ rootNamespace: mesh.rootNamespace }));
  const proxyYaml = readIfExists(join(dir, 'proxy.yaml'));
  const router = proxyYaml !== undefined && /^\s*id:\s*router~/m.test(proxyYaml);
  const parsed = parseProxy(router ? routerNode(proxyYaml) : nodeFor(proxyYaml));
  assert.ok(parsed.ok, `proxy.yaml: ${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
  const lookup = lookupFrom(readIfExists(join(dir, 'jwks.yaml')));
  const gen = router ? createGatewayGenerator({ mesh, jwks: () => lookup }) : createSidecarGenerator({ mesh, jwks: () => lookup });
  const result: AuthnRendered = { ...renderWith(gen, snapshot, parsed.value), router };
  const yaml = (v: unknown) => stringify(JSON.parse(JSON.stringify(v)), { sortMapEntries: true, lineWidth: 0 });
  const diagnostics = result.diagnostics.filter((d) => /RequestAuthentication|AuthorizationPolicy/.test(d.source ?? ''));
  return { files: { 'authn.yaml': yaml(summary(result)), 'diagnostics.yaml': yaml(diagnostics) }, result };
}
