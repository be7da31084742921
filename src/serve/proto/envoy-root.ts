/**
 * Envoy's v3 xDS protos, loaded once with protobufjs from the copies that ship inside the
 * pinned @grpc/grpc-js-xds package (deps/envoy-api, deps/xds, deps/googleapis,
 * deps/protoc-gen-validate). Nothing is copied into this repo. Field names keep their proto
 * (snake_case) spelling, the same spelling Envoy's config_dump uses.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** Every message type translate/ may put inside an Any, plus the discovery service itself. */
const ENTRY_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/network/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/path/match/uri_template/v3/uri_template_match.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/original_src/v3/original_src.proto',
  'envoy/extensions/filters/network/mongo_proxy/v3/mongo_proxy.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/transport_sockets/proxy_protocol/v3/upstream_proxy_protocol.proto',
  'envoy/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.proto',
  'envoy/extensions/network/dns_resolver/cares/v3/cares_dns_resolver.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin.proto',
  'envoy/extensions/load_balancing_policies/pick_first/v3/pick_first.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/formatter/req_without_query/v3/req_without_query.proto',
  'envoy/admin/v3/config_dump.proto',
  'google/protobuf/struct.proto',
  'google/protobuf/wrappers.proto',
  'google/protobuf/duration.proto',
];

function includeDirs(): string[] {
  const xds = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const pbjs = dirname(require.resolve('protobufjs/package.json'));
  return [
    join(xds, 'deps', 'envoy-api'),
    join(xds, 'deps', 'xds'),
    join(xds, 'deps', 'googleapis'),
    join(xds, 'deps', 'protoc-gen-validate'),
    pbjs,
  ];
}

/** A Value as protobufjs's own toObject leaves it; nested Struct/Value parts are already plain. */
type PbValue = { numberValue?: number; stringValue?: string; boolValue?: boolean; structValue?: Record<string, unknown>; listValue?: { values?: unknown[] } };

function plainValue(v: PbValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.structValue !== undefined) return v.structValue;
  if (v.listValue !== undefined) return v.listValue.values ?? [];
  return null;
}

/**
 * Struct, Value and ListValue in their JSON form (plain objects), as Envoy's JSON does, in both
 * directions; protobufjs otherwise expects `{ fields: { k: { stringValue } } }`.
 */
function installStructWrappers(): void {
  const wrappers = protobuf.wrappers as Record<string, protobuf.IWrapper>;
  // Builds real message instances, so protobufjs's own nested fromObject calls pass them through.
  // Looked up once per root: every metadata field on every route would otherwise pay for three lookups.
  const typesByRoot = new WeakMap<protobuf.Namespace, { valueType: protobuf.Type; listType: protobuf.Type; structType: protobuf.Type }>();
  const typesOf = (root: protobuf.Namespace) => {
    let types = typesByRoot.get(root);
    if (!types) {
      types = { valueType: root.lookupType('google.protobuf.Value'), listType: root.lookupType('google.protobuf.ListValue'), structType: root.lookupType('google.protobuf.Struct') };
      typesByRoot.set(root, types);
    }
    return types;
  };
  const build = (type: protobuf.Type, object: unknown): protobuf.Message => {
    const { valueType, listType, structType } = typesOf(type.root);
    const value = (v: unknown): protobuf.Message => {
      if (v === null || v === undefined) return valueType.create({ nullValue: 0 });
      if (typeof v === 'number') return valueType.create({ numberValue: v });
      if (typeof v === 'string') return valueType.create({ stringValue: v });
      if (typeof v === 'boolean') return valueType.create({ boolValue: v });
      if (Array.isArray(v)) return valueType.create({ listValue: listType.create({ values: v.map(value) }) });
      return valueType.create({ structValue: struct(v as Record<string, unknown>) });
    };
    const struct = (o: Record<string, unknown>) => structType.create({ fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, value(v)])) });
    return type.name === 'Struct' ? struct(object as Record<string, unknown>) : value(object);
  };
  for (const name of ['Struct', 'Value'] as const) {
    wrappers[`.google.protobuf.${name}`] = {
      fromObject(this: protobuf.Type, object) {
        return object instanceof this.ctor ? (object as protobuf.Message) : build(this, object);
      },
      toObject(this: protobuf.Type, message, options) {
        const plain = this.toObject(message, options);
        return (name === 'Struct' ? { ...(plain as { fields?: Record<string, unknown> }).fields } : plainValue(plain as PbValue)) as { [k: string]: unknown };
      },
    };
  }
}

/**
 * protobufjs's Any wrapper resolves the `@type` name through the namespace tree on every call;
 * every typed_config and retry predicate pays that. Same behavior, with the lookup memoized.
 */
function installAnyLookupCache(): void {
  const wrappers = protobuf.wrappers as Record<string, protobuf.IWrapper>;
  const original = wrappers['.google.protobuf.Any'];
  if (!original?.fromObject) return;
  const originalFromObject = original.fromObject;
  const found = new WeakMap<protobuf.Type, Map<string, protobuf.Type | null>>();
  const lookup = (anyType: protobuf.Type, name: string): protobuf.Type | null => {
    let byName = found.get(anyType);
    if (!byName) found.set(anyType, (byName = new Map()));
    let type = byName.get(name);
    if (type === undefined) {
      const hit = anyType.lookup(name);
      byName.set(name, (type = hit instanceof protobuf.Type ? hit : null));
    }
    return type;
  };
  wrappers['.google.protobuf.Any'] = {
    ...original,
    fromObject(this: protobuf.Type, object) {
      const url = (object as { '@type'?: unknown })['@type'];
      if (typeof url === 'string' && url.includes('/')) {
        const type = lookup(this, url.slice(url.lastIndexOf('/') + 1));
        if (type) return this.create({ type_url: url, value: type.encode(type.fromObject(object)).finish() });
      }
      return originalFromObject.call(this, object);
    },
  };
}

function loadRoot(): protobuf.Root {
  installStructWrappers();
  installAnyLookupCache();
  const dirs = includeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of dirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target; // protobufjs's bundled google/protobuf/* definitions answer these
  };
  root.loadSync(ENTRY_FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

let cached: protobuf.Root | undefined;

/** The shared, fully resolved Root. Loading takes a few hundred ms, so it happens once. */
export function envoyRoot(): protobuf.Root {
  cached ??= loadRoot();
  return cached;
}

/** A message type by its full name (`envoy.config.cluster.v3.Cluster`), or throws. */
export function messageType(fullName: string): protobuf.Type {
  return envoyRoot().lookupType(fullName);
}

/** `type.googleapis.com/envoy.config.cluster.v3.Cluster` → the Type, or undefined. */
export function typeForUrl(typeUrl: string): protobuf.Type | undefined {
  if (typesByUrl.has(typeUrl)) return typesByUrl.get(typeUrl);
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const found = envoyRoot().lookup(name);
  const type = found instanceof protobuf.Type ? found : undefined;
  if (typesByUrl.size < 10_000) typesByUrl.set(typeUrl, type); // type URLs come from our own translators; bounded anyway
  return type;
}

const typesByUrl = new Map<string, protobuf.Type | undefined>();
