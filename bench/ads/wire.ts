/**
 * A minimal protobuf wire-format reader for the simulated clients. Thousands of clients each hold
 * thousands of resources, so they never decode whole Envoy messages: they pull out only the few
 * fields that tell them what to subscribe to next (names, RDS route names, cluster references).
 * Field numbers come from Envoy's v3 protos.
 */

/** Reads a varint at `pos`; returns [value, next position]. Values above 2^53 lose precision (unused here). */
function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
}

/** Calls `visit(fieldNumber, wireType, value)` for every top-level field; value is bytes for wire type 2, else the varint. */
function eachField(buf: Uint8Array, visit: (field: number, wire: number, bytes: Uint8Array | undefined, varint: number) => void): void {
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    pos = afterTag;
    if (wire === 0) {
      const [v, next] = readVarint(buf, pos);
      visit(field, wire, undefined, v);
      pos = next;
    } else if (wire === 2) {
      const [len, start] = readVarint(buf, pos);
      visit(field, wire, buf.subarray(start, start + len), 0);
      pos = start + len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** Every length-delimited occurrence of `field`. */
export function subMessages(buf: Uint8Array, field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  eachField(buf, (f, wire, bytes) => {
    if (f === field && wire === 2 && bytes) out.push(bytes);
  });
  return out;
}

/** Follows a path of message fields (each may repeat) and returns every leaf. */
export function pathMessages(buf: Uint8Array, path: readonly number[]): Uint8Array[] {
  let level = [buf];
  for (const field of path) level = level.flatMap((b) => subMessages(b, field));
  return level;
}

const utf8 = new TextDecoder();

export function stringField(buf: Uint8Array, field: number): string | undefined {
  const first = subMessages(buf, field)[0];
  return first === undefined ? undefined : utf8.decode(first);
}

export function varintField(buf: Uint8Array, field: number): number | undefined {
  let out: number | undefined;
  eachField(buf, (f, wire, _b, v) => {
    if (f === field && wire === 0) out = v;
  });
  return out;
}

/** name (Listener, Cluster, RouteConfiguration) and cluster_name (ClusterLoadAssignment) are all field 1. */
export function resourceName(resource: Uint8Array): string {
  return stringField(resource, 1) ?? '';
}

const EDS_DISCOVERY_TYPE = 3;

/** The EDS resource name a Cluster needs, or undefined when it is not an EDS cluster. */
export function edsServiceName(cluster: Uint8Array): string | undefined {
  if (varintField(cluster, 2) !== EDS_DISCOVERY_TYPE) return undefined;
  const edsConfig = subMessages(cluster, 3)[0];
  const service = edsConfig ? stringField(edsConfig, 2) : undefined;
  return service || resourceName(cluster);
}

/** RDS route names a Listener's api_listener (HttpConnectionManager with rds) refers to. */
export function listenerRouteNames(listener: Uint8Array): string[] {
  // Listener.api_listener(19) → ApiListener.api_listener(1: Any) → Any.value(2) → HCM.rds(3) → route_config_name(2)
  const hcms = pathMessages(listener, [19, 1, 2]);
  return hcms.flatMap((hcm) => subMessages(hcm, 3)).map((rds) => stringField(rds, 2) ?? '').filter((n) => n !== '');
}

/** Clusters a RouteConfiguration's routes send to (single cluster or weighted clusters). */
export function routeClusterNames(route: Uint8Array): string[] {
  // virtual_hosts(2) → routes(3) → route action(2) → cluster(1) | weighted_clusters(3) → clusters(1) → name(1)
  const actions = pathMessages(route, [2, 3, 2]);
  const out = new Set<string>();
  for (const action of actions) {
    const single = stringField(action, 1);
    if (single) out.add(single);
    for (const weighted of pathMessages(action, [3, 1])) {
      const name = stringField(weighted, 1);
      if (name) out.add(name);
    }
  }
  return [...out];
}

/** Whether `haystack` contains the UTF-8 bytes of `needle` (markers are plain strings inside resources). */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle) >= 0;
}

/** A DiscoveryResponse read straight from the wire: resource bytes are views into the frame, nothing is copied. */
export interface WireSotwResponse {
  readonly version_info: string;
  readonly resources: readonly { readonly type_url: string; readonly value: Uint8Array }[];
  readonly type_url: string;
  readonly nonce: string;
}

export interface WireDeltaResponse {
  readonly system_version_info: string;
  readonly resources: readonly { name: string; version: string; resource?: { type_url: string; value: Uint8Array } }[];
  readonly type_url: string;
  readonly removed_resources: readonly string[];
  readonly nonce: string;
}

function readAny(any: Uint8Array): { type_url: string; value: Uint8Array } {
  return { type_url: stringField(any, 1) ?? '', value: subMessages(any, 2)[0] ?? new Uint8Array() };
}

export function readSotwResponse(buf: Uint8Array): WireSotwResponse {
  return {
    version_info: stringField(buf, 1) ?? '',
    resources: subMessages(buf, 2).map(readAny),
    type_url: stringField(buf, 4) ?? '',
    nonce: stringField(buf, 5) ?? '',
  };
}

export function readDeltaResponse(buf: Uint8Array): WireDeltaResponse {
  return {
    system_version_info: stringField(buf, 1) ?? '',
    resources: subMessages(buf, 2).map((r) => {
      const any = subMessages(r, 2)[0];
      return { name: stringField(r, 3) ?? '', version: stringField(r, 1) ?? '', ...(any ? { resource: readAny(any) } : {}) };
    }),
    type_url: stringField(buf, 4) ?? '',
    removed_resources: subMessages(buf, 6).map((b) => utf8.decode(b)),
    nonce: stringField(buf, 5) ?? '',
  };
}
