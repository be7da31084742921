/**
 * Renders one authz golden case: workload.yaml (shared) + testdata/<case>/in.yaml (policies) →
 * the sidecar's listeners, from which out/rbac.yaml keeps what AuthorizationPolicy decides: the
 * RBAC filters of the HTTP connection managers and of the TCP chains, and each chain's filter
 * order. Optional mesh.yaml / proxy.yaml as in the sidecar goldens.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseProxy } from '../../../src/model/proxy.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { TranslateDiagnostic, XdsResource } from '../../../src/translate/types.js';
import { objectsFrom } from '../../unit/translate/grpc-fixtures.js';
import { meshFor, nodeFor } from '../translate-sidecar/render.js';

type Json = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(here, '../../../../test/golden/translate-authz');
const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

export interface AuthzRendered {
  readonly files: Readonly<Record<string, string>>;
  readonly listeners: readonly XdsResource[];
  readonly diagnostics: readonly TranslateDiagnostic[];
}

export interface ChainView { readonly chain: string; readonly kind: 'http' | 'tcp'; readonly order: string[]; readonly rbac: Json[] }

/** RBAC filters and the ext_authz filters CUSTOM policies put between them. */
const isRbac = (f: Json) => String(f.name).endsWith('.rbac') || String(f.name).endsWith('.ext_authz');

/** Every filter chain of every listener: its filter names in order and its RBAC filters. */
export function chainViews(listeners: readonly XdsResource[]): ChainView[] {
  const out: ChainView[] = [];
  for (const l of listeners) {
    for (const chain of (l.body.filter_chains ?? []) as Json[]) {
      const filters = (chain.filters ?? []) as Json[];
      const hcm = filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager');
      const name = `${l.name}/${String(chain.name ?? '')}`;
      if (hcm) {
        const http = ((hcm.typed_config as Json).http_filters ?? []) as Json[];
        out.push({ chain: name, kind: 'http', order: http.map((f) => String(f.name)), rbac: http.filter(isRbac) });
      } else {
        out.push({ chain: name, kind: 'tcp', order: filters.map((f) => String(f.name)), rbac: filters.filter(isRbac) });
      }
    }
  }
  return out;
}

/** The inbound chains' RBAC (identical on every inbound chain of a kind; checked by the test). */
function summary(views: readonly ChainView[]): Json {
  const inbound = views.filter((v) => v.chain.startsWith('virtualInbound/') && !v.chain.endsWith('-blackhole'));
  const first = (kind: 'http' | 'tcp') => inbound.find((v) => v.kind === kind);
  const view = (v: ChainView | undefined) => (v ? { order: v.order, rbac: v.rbac } : null);
  return { http: view(first('http')), tcp: view(first('tcp')) };
}

export function renderAuthzCase(dir: string): AuthzRendered {
  const mesh = meshFor(readIfExists(join(dir, 'mesh.yaml')), join(dir, 'mesh.yaml'));
  const text = `${readFileSync(join(sourceDir, 'workload.yaml'), 'utf8')}\n---\n${readFileSync(join(dir, 'in.yaml'), 'utf8')}`;
  const snapshot = buildSnapshot(objectsFrom(text), undefined, registryOptions({ rootNamespace: mesh.rootNamespace }));
  const parsed = parseProxy(nodeFor(readIfExists(join(dir, 'proxy.yaml'))));
  assert.ok(parsed.ok, `proxy.yaml: ${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
  const out = createSidecarGenerator({ mesh }).generate(snapshot, parsed.value, TypeUrl.Listener, undefined);
  const listeners = [...out.resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const yaml = (v: unknown) => stringify(JSON.parse(JSON.stringify(v)), { sortMapEntries: true, lineWidth: 0 });
  const diagnostics = out.diagnostics.filter((d) => d.source?.includes('AuthorizationPolicy') || d.message.includes('authoriz'));
  return {
    files: { 'rbac.yaml': yaml(summary(chainViews(listeners))), 'diagnostics.yaml': yaml(diagnostics) },
    listeners,
    diagnostics,
  };
}
