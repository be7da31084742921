/**
 * Generated and encoded resources of ONE snapshot, shared by every connection. Keys are
 * (generator name, type URL, generator scope key for the name) and then the resource name, or
 * the wildcard list: two proxies with the same scope key get the very same objects and bytes. The server
 * replaces the whole cache when a new snapshot arrives, so old snapshots' entries are dropped.
 */
import type { Proxy } from '../model/proxy.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Generator, TranslateDiagnostic, XdsResource } from '../translate/types.js';
import { encodeResourceBody } from './proto/encode.js';
import { encodeAny } from './response-encoding.js';
import { resourceVersion } from './versions.js';

/** One resource, encoded once: what connections hold, compare and send. */
export interface CachedResource {
  readonly name: string;
  readonly typeUrl: string;
  /** Content hash of the encoded message. */
  readonly version: string;
  /** The encoded Any (type URL + message bytes). */
  readonly any: Uint8Array;
  readonly resource: XdsResource;
}

export interface CacheProblems {
  /** A generator threw: the type is not pushed (proxies keep what they have). */
  generatorFailed(generator: string, typeUrl: string, error: unknown): void;
  /** A resource body could not be encoded: that one resource is left out. */
  encodeFailed(generator: string, typeUrl: string, name: string, error: unknown): void;
  /** Translate findings of a scope, reported for every proxy served from it (generated or cached). */
  diagnostics(generator: string, typeUrl: string, diagnostics: readonly TranslateDiagnostic[], proxyId?: string): void;
}

interface Scope {
  readonly generator: string;
  readonly typeUrl: string;
  wildcard?: readonly CachedResource[];
  /** null = generated and known not to exist for this scope. */
  readonly byName: Map<string, CachedResource | null>;
  /** What the generations of this scope reported (for /debug/push_status, per proxy served). */
  readonly diagnostics: TranslateDiagnostic[];
}

export class ResourceCache {
  private readonly scopes = new Map<string, Scope>();
  private readonly subscriptions = new Map<string, readonly CachedResource[]>();
  /** Scopes each shared subscription was resolved from, so a shared hit still reports its findings. */
  private readonly subscriptionScopes = new Map<string, readonly Scope[]>();
  /** Scopes touched while computing a shared subscription. */
  private tracing: Set<Scope> | undefined;

  constructor(readonly snapshot: Snapshot, private readonly problems: CacheProblems) {}

  /**
   * The resources `proxy` gets for a subscription (names undefined = wildcard), or undefined if
   * the generator failed. Names not yet cached for the scope are generated in one call.
   */
  resolve(generator: Generator, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined): readonly CachedResource[] | undefined {
    if (names === undefined) return this.resolveWildcard(generator, proxy, typeUrl);
    const unique = [...new Set(names)];
    const scopeOf = this.scopesOfNames(generator, proxy, typeUrl, unique);
    // Names may fall in different scopes (a shared client listener vs. a per-IP server one).
    const scopes = new Map<Scope, string[]>();
    for (let i = 0; i < unique.length; i++) {
      const n = unique[i]!;
      const scope = scopeOf[i]!;
      if (scope.byName.has(n)) continue;
      const missing = scopes.get(scope);
      if (missing) missing.push(n);
      else scopes.set(scope, [n]);
    }
    for (const [scope, missing] of scopes) {
      const made = this.generate(generator, proxy, typeUrl, missing, scope);
      if (!made) return undefined;
      for (const r of made) scope.byName.set(r.name, r);
      for (const n of missing) if (!scope.byName.has(n)) scope.byName.set(n, null);
    }
    for (const scope of new Set(scopeOf)) this.served(scope, proxy);
    const found: CachedResource[] = [];
    for (let i = 0; i < unique.length; i++) {
      const r = scopeOf[i]!.byName.get(unique[i]!);
      if (r) found.push(r);
    }
    return found;
  }

  /** The scope of each name: looked up once per call, and once in all unless the type's key depends on the name. */
  private scopesOfNames(generator: Generator, proxy: Proxy, typeUrl: string, names: readonly string[]): Scope[] {
    if (!generator.nameScopedTypeUrls.includes(typeUrl)) {
      const scope = this.scopeFor(generator, proxy, typeUrl, names[0]);
      return names.map(() => scope);
    }
    return names.map((n) => this.scopeFor(generator, proxy, typeUrl, n));
  }

  /**
   * A whole resolved subscription, shared by every proxy with the same scope key (for types
   * whose key does not depend on the name) and the same subscription fingerprint.
   */
  shared(generator: Generator, proxy: Proxy, typeUrl: string, fingerprint: string, compute: () => readonly CachedResource[] | undefined): readonly CachedResource[] | undefined {
    const key = `${generator.name}\u0000${typeUrl}\u0000${generator.scopeKey(proxy, typeUrl, undefined)}\u0000${fingerprint}`;
    const known = this.subscriptions.get(key);
    if (known) {
      for (const scope of this.subscriptionScopes.get(key) ?? []) this.served(scope, proxy);
      return known;
    }
    const outer = this.tracing;
    const traced = (this.tracing = new Set());
    let computed;
    try {
      computed = compute();
    } finally {
      this.tracing = outer;
      for (const scope of traced) outer?.add(scope);
    }
    if (computed) {
      this.subscriptions.set(key, computed);
      this.subscriptionScopes.set(key, [...traced]);
    }
    return computed;
  }

  private resolveWildcard(generator: Generator, proxy: Proxy, typeUrl: string): readonly CachedResource[] | undefined {
    const scope = this.scopeFor(generator, proxy, typeUrl, undefined);
    if (!scope.wildcard) {
      const made = this.generate(generator, proxy, typeUrl, undefined, scope);
      if (!made) return undefined;
      scope.wildcard = Object.freeze(made.sort(byName));
    }
    this.served(scope, proxy);
    return scope.wildcard;
  }

  /** `proxy` gets resources of `scope`: its findings count for that proxy too. */
  private served(scope: Scope, proxy: Proxy): void {
    this.tracing?.add(scope);
    if (scope.diagnostics.length > 0) this.problems.diagnostics(scope.generator, scope.typeUrl, scope.diagnostics, proxy.id);
  }

  private scopeFor(generator: Generator, proxy: Proxy, typeUrl: string, name: string | undefined): Scope {
    const key = `${generator.name}\u0000${typeUrl}\u0000${generator.scopeKey(proxy, typeUrl, name)}`;
    let scope = this.scopes.get(key);
    if (!scope) this.scopes.set(key, (scope = { generator: generator.name, typeUrl, byName: new Map(), diagnostics: [] }));
    return scope;
  }

  private generate(generator: Generator, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined, scope: Scope): CachedResource[] | undefined {
    let generated;
    try {
      generated = generator.generate(this.snapshot, proxy, typeUrl, names);
    } catch (error) {
      this.problems.generatorFailed(generator.name, typeUrl, error);
      return undefined;
    }
    scope.diagnostics.push(...generated.diagnostics);
    const out: CachedResource[] = [];
    const seen = new Set<string>();
    for (const resource of generated.resources) {
      if (seen.has(resource.name)) continue; // a generator bug; the first one wins
      seen.add(resource.name);
      const encoded = this.encode(generator.name, typeUrl, resource);
      if (encoded) out.push(encoded);
    }
    return out;
  }

  private encode(generator: string, typeUrl: string, resource: XdsResource): CachedResource | undefined {
    try {
      if (resource.body['@type'] !== typeUrl) throw new Error(`'@type' is ${JSON.stringify(resource.body['@type'])}, expected ${typeUrl}`);
      const { bytes } = encodeResourceBody(resource.body);
      return Object.freeze({ name: resource.name, typeUrl, version: resourceVersion(bytes), any: encodeAny(typeUrl, bytes), resource });
    } catch (error) {
      this.problems.encodeFailed(generator, typeUrl, resource.name, error);
      return undefined;
    }
  }
}

export function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
