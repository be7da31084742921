/**
 * A protoc-gen-validate (PGV) checker for translate/'s JSON-shaped Envoy resources: the
 * `(validate.rules)` field annotations, `(validate.required)` oneofs and the message-level
 * `(validate.disabled)` / `(validate.ignored)` options, read from Envoy's own protos (protobufjs
 * keeps them in parsedOptions). It walks a body against its message type, through nested
 * messages, lists, maps and Anys (by '@type'), the way Envoy's generated Validate() would, so a
 * config Envoy would reject with "Proto constraint validation failed" fails a test here instead.
 * It also applies Envoy's own Duration check (non-negative, in range) to every Duration.
 */
import protobuf from 'protobufjs';
import { envoyRoot, typeForUrl } from '../../src/serve/proto/envoy-root.js';
import {
  checkAnyType, checkBool, checkBytes, checkDuration, checkEnum, checkEnvoyDuration, checkNumber, checkString,
  NUMBER_KINDS, type Rules, type Violation,
} from './validate-rules-scalars.js';

type Obj = Record<string, unknown>;

const FREE_FORM = new Set(['.google.protobuf.Struct', '.google.protobuf.Value', '.google.protobuf.ListValue']);
const WRAPPERS: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double', '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64', '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32', '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool', '.google.protobuf.StringValue': 'string', '.google.protobuf.BytesValue': 'bytes',
};

/** parsedOptions is a list of single-key objects; the same option may appear more than once. */
function option(parsed: readonly Obj[] | undefined, name: string): unknown {
  let found: unknown;
  for (const entry of parsed ?? []) {
    if (!(name in entry)) continue;
    const v = entry[name];
    found = found && typeof found === 'object' && v && typeof v === 'object' ? { ...(found as Obj), ...(v as Obj) } : v;
  }
  return found;
}

/**
 * Annotations in the pinned protos that Envoy itself has since removed, so that current Envoy
 * (and Istio's own output) accepts what they forbid. Each entry: field → rule families dropped.
 */
const REMOVED_UPSTREAM: Readonly<Record<string, readonly string[]>> = {
  // envoyproxy/envoy#36735 (Envoy 1.33): an empty resolver list means "use the system's".
  '.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig.resolvers': ['repeated'],
};

const fieldRules = new WeakMap<protobuf.Field, Rules>();
function rulesOf(field: protobuf.Field): Rules {
  let rules = fieldRules.get(field);
  if (!rules) {
    rules = { ...((option(field.parsedOptions as Obj[] | undefined, '(validate.rules)') ?? {}) as Rules) };
    for (const family of REMOVED_UPSTREAM[field.fullName] ?? []) delete rules[family];
    fieldRules.set(field, rules);
  }
  return rules;
}

const skipped = (type: protobuf.Type) => {
  const opts = type.options ?? {};
  return opts['(validate.disabled)'] === true || opts['(validate.ignored)'] === true;
};
const oneofRequired = (oneof: protobuf.OneOf) =>
  oneof.options?.['(validate.required)'] === true || option(oneof.parsedOptions as Obj[] | undefined, '(validate.required)') === true;

const isSet = (v: unknown) => v !== undefined && v !== null;
const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

class Walker {
  readonly problems: string[] = [];

  report(path: string, family: string, violations: readonly Violation[]): void {
    for (const v of violations) this.problems.push(`${path || '(root)'}: ${family}.${v.rule} = ${show(v.want)} violated by ${show(v.got)}`);
  }

  message(type: protobuf.Type, value: unknown, path: string): void {
    if (FREE_FORM.has(type.fullName) || typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const obj = value as Obj;
    if (type.fullName === '.google.protobuf.Any') return this.any(obj, path);
    if (skipped(type)) return;
    for (const field of type.fieldsArray) {
      const v = obj[field.name];
      // Members of a oneof (and proto3 `optional` fields) are only validated when set.
      if (field.partOf && !isSet(v)) continue;
      this.field(field.resolve(), v, path ? `${path}.${field.name}` : field.name);
    }
    for (const oneof of type.oneofsArray) {
      if (!oneofRequired(oneof)) continue;
      if (!oneof.fieldsArray.some((f) => isSet(obj[f.name]))) {
        this.problems.push(`${path || '(root)'}: oneof ${oneof.name} is required (one of ${oneof.fieldsArray.map((f) => f.name).join(', ')})`);
      }
    }
  }

  any(obj: Obj, path: string): void {
    const typeUrl = obj['@type'];
    if (typeof typeUrl !== 'string') return void this.problems.push(`${path}: Any without '@type'`);
    const inner = typeForUrl(typeUrl);
    if (!inner) return void this.problems.push(`${path}: Any of unknown type ${typeUrl} (cannot validate)`);
    const { '@type': _t, ...rest } = obj;
    this.message(inner, rest, path);
  }

  field(field: protobuf.Field, value: unknown, path: string): void {
    const rules = rulesOf(field);
    if (field.map) return this.map(field, rules, isSet(value) ? (value as Obj) : {}, path);
    if (field.repeated) return this.repeated(field, rules, isSet(value) ? (value as unknown[]) : [], path);
    this.single(field, rules, value, path);
  }

  repeated(field: protobuf.Field, rules: Rules, list: unknown[], path: string): void {
    const r = (rules.repeated ?? {}) as Rules;
    if (!(r.ignore_empty && list.length === 0)) {
      const count: Violation[] = [];
      if (r.min_items !== undefined && list.length < Number(r.min_items)) count.push({ rule: 'min_items', want: r.min_items, got: list.length });
      if (r.max_items !== undefined && list.length > Number(r.max_items)) count.push({ rule: 'max_items', want: r.max_items, got: list.length });
      if (r.unique === true && new Set(list.map(show)).size !== list.length) count.push({ rule: 'unique', want: true, got: list });
      this.report(path, 'repeated', count);
    }
    const items = (r.items ?? {}) as Rules;
    list.forEach((item, i) => this.single(field, items, item, `${path}[${i}]`));
  }

  map(field: protobuf.Field, rules: Rules, entries: Obj, path: string): void {
    const r = (rules.map ?? {}) as Rules;
    const keys = Object.keys(entries);
    if (!(r.ignore_empty && keys.length === 0)) {
      const count: Violation[] = [];
      if (r.min_pairs !== undefined && keys.length < Number(r.min_pairs)) count.push({ rule: 'min_pairs', want: r.min_pairs, got: keys.length });
      if (r.max_pairs !== undefined && keys.length > Number(r.max_pairs)) count.push({ rule: 'max_pairs', want: r.max_pairs, got: keys.length });
      this.report(path, 'map', count);
    }
    for (const key of keys) {
      const at = `${path}[${JSON.stringify(key)}]`;
      this.scalar((field as unknown as protobuf.MapField).keyType, (r.keys ?? {}) as Rules, key, `${at} (key)`);
      this.single(field, (r.values ?? {}) as Rules, entries[key], at);
    }
  }

  /** One value of `field` (a singular field, a list item or a map value) under `rules`. */
  single(field: protobuf.Field, rules: Rules, value: unknown, path: string): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.messageValue(resolved, rules, value, path);
    if (resolved instanceof protobuf.Enum) return this.enumValue(resolved, rules, value, path);
    this.scalar(field.type, rules, value, path);
  }

  messageValue(type: protobuf.Type, rules: Rules, value: unknown, path: string): void {
    const msg = (rules.message ?? {}) as Rules;
    const name = type.fullName;
    const kindRules = (kind: string) => (rules[kind] ?? {}) as Rules;
    const required = msg.required === true || kindRules('duration').required === true || kindRules('any').required === true || kindRules('timestamp').required === true;
    if (!isSet(value)) {
      if (required) this.problems.push(`${path}: value is required`);
      return;
    }
    if (name === '.google.protobuf.Duration') {
      this.report(path, 'duration', checkDuration(kindRules('duration'), value));
      this.report(path, 'envoy Duration', checkEnvoyDuration(value));
    } else if (name === '.google.protobuf.Timestamp') {
      this.report(path, 'timestamp', checkDuration(kindRules('timestamp'), value));
    } else if (name === '.google.protobuf.Any') {
      const typeUrl = (value as Obj)['@type'];
      if (typeof typeUrl === 'string') this.report(path, 'any', checkAnyType(kindRules('any'), typeUrl));
    } else if (WRAPPERS[name]) {
      const kind = WRAPPERS[name]!;
      if (rules[kind]) this.scalar(kind, rules, (value as Obj).value, `${path}.value`);
    }
    if (msg.skip !== true) this.message(type, value, path);
  }

  enumValue(type: protobuf.Enum, rules: Rules, value: unknown, path: string): void {
    const r = rules.enum as Rules | undefined;
    if (!r) return;
    const n = !isSet(value) ? 0 : typeof value === 'number' ? value : type.values[String(value)];
    if (n === undefined) return void this.report(path, 'enum', [{ rule: 'defined_only', want: true, got: value }]);
    this.report(path, 'enum', checkEnum(r, n, Object.values(type.values)));
  }

  /** A scalar of proto type `kind`; an absent proto3 scalar is its default value. */
  scalar(kind: string, rules: Rules, value: unknown, path: string): void {
    if (kind === 'string') {
      if (rules.string) this.report(path, 'string', checkString(rules.string as Rules, isSet(value) ? String(value) : ''));
    } else if (kind === 'bytes') {
      if (rules.bytes) this.report(path, 'bytes', checkBytes(rules.bytes as Rules, value));
    } else if (kind === 'bool') {
      if (rules.bool) this.report(path, 'bool', checkBool(rules.bool as Rules, value === true));
    } else if (NUMBER_KINDS.has(kind) && rules[kind]) {
      this.report(path, kind, checkNumber(kind, rules[kind] as Rules, isSet(value) ? value : 0));
    }
  }
}

/** Resource bodies by type URL; the root is the one envoy-root.ts loads (options included). */
function resourceType(body: Readonly<Obj>): protobuf.Type | string {
  envoyRoot();
  const typeUrl = body['@type'];
  if (typeof typeUrl !== 'string') return '(root): no @type';
  return typeForUrl(typeUrl) ?? `(root): unknown type ${typeUrl}`;
}

/**
 * The PGV problems in one resource body (with '@type'), each naming the field path, the rule
 * and the offending value, e.g. `load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: uint32.lte = 65535 violated by 70000`.
 */
export function checkValidateRules(body: Readonly<Record<string, unknown>>): string[] {
  const type = resourceType(body);
  if (typeof type === 'string') return [type];
  const walker = new Walker();
  const { '@type': _t, ...rest } = body;
  walker.message(type, rest, '');
  return walker.problems;
}

/** The same walk against any protobufjs message type (tests use small hand-written protos). */
export function checkMessageRules(type: protobuf.Type, body: Readonly<Record<string, unknown>>): string[] {
  const walker = new Walker();
  walker.message(type, body, '');
  return walker.problems;
}
