/**
 * Every Kubernetes API call the daemon makes, as RBAC needs to know it, and a scanner that finds
 * the calls in src/ so that a new path or a new write method without an entry here fails the
 * manifests test (and with it, a missing grant in deploy/10-rbac.yaml).
 * The scanner reads the TypeScript AST: string and template literals that are API paths
 * (`/api/...`, `/apis/...`, `.../status`), and HTTP methods passed to calls or set as `method:`.
 */
import ts from 'typescript';
import { KINDS, kindInfo, type KindInfo, type KindName } from '../../../src/model/kinds.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
/** `cluster`: all namespaces or cluster-scoped; `istio-system`: only istiod's own namespace. */
export type Scope = 'cluster' | 'istio-system';

export interface Grant {
  readonly group: string;
  readonly resource: string;
  readonly verb: Verb;
  readonly scope: Scope;
  /** Set when the code only ever touches one object by name (RBAC resourceNames). */
  readonly name?: string;
}

export interface ApiUse {
  readonly why: string;
  /** The src/ file (relative to src/) and the literal (with `${...}` written as `{}`) it covers. */
  readonly file: RegExp;
  readonly literal: RegExp;
  readonly grants: () => Grant[];
  /** Not an API call at all (e.g. a provenance string that looks like a path). */
  readonly notAnApiCall?: true;
}

export const grants = (group: string, resources: readonly string[], verbs: readonly Verb[], scope: Scope, name?: string): Grant[] =>
  resources.flatMap((resource) => verbs.map((verb) => ({ group, resource, verb, scope, ...(name ? { name } : {}) })));

const istioKinds = (): KindInfo[] => KINDS.filter((k) => k.istio);
/** Kinds whose status the leader writes: Istio's (validation messages) and the Gateway API's (conditions). */
const statusKinds = (): KindInfo[] => KINDS.filter((k) => k.istio || k.gatewayApi === true);
const perKind = (kinds: KindInfo[], verbs: Verb[], suffix = ''): Grant[] =>
  kinds.flatMap((k) => grants(k.group, [`${k.plural}${suffix}`], verbs, 'cluster'));

/** The table; `informers` are the kinds the sources list and watch (see informerKinds). */
export const apiUses = (informers: readonly KindInfo[]): readonly ApiUse[] => [
  { why: 'informers: list + watch of every kind the sources cache', file: /^sources\/kubernetes\/convert\.ts$/, literal: /^\/apis?\/\{\}/,
    grants: () => perKind([...informers], ['list', 'watch']) },
  { why: 'mesh config: ConfigMap istio in the root namespace, watched', file: /^sources\/kubernetes\/mesh-config-watch\.ts$/, literal: /^\/api\/v1\/namespaces\/\{\}\/configmaps\?fieldSelector=/,
    grants: () => grants('', ['configmaps'], ['list', 'watch'], 'istio-system') },
  { why: 'Secrets (gateway credentials, remote clusters), watched in all namespaces', file: /^sources\/kubernetes\/secret-convert\.ts$/, literal: /^\/api\/v1\/secrets\?fieldSelector=/,
    grants: () => grants('', ['secrets'], ['list', 'watch'], 'cluster') },
  { why: 'multi-cluster: remote-cluster kubeconfig Secrets (istio/multiCluster=true) in istiod\'s namespace, watched', file: /^sources\/kubernetes\/remote-clusters\.ts$/,
    literal: /^\/api\/v1\/namespaces\/\{\}\/secrets\?labelSelector=/, grants: () => grants('', ['secrets'], ['list', 'watch'], 'istio-system') },
  { why: 'leader election: Lease read, created, replaced', file: /^sources\/kubernetes\/lease-client\.ts$/, literal: /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/\{\}\/leases$/,
    grants: () => grants('coordination.k8s.io', ['leases'], ['get', 'create', 'update'], 'istio-system') },
  { why: 'istio-ca-root-cert: created in every namespace', file: /^security\/k8s\/root-cert-publisher\.ts$/, literal: /^\/api\/v1\/namespaces\/\{\}\/configmaps$/,
    grants: () => [...grants('', ['configmaps'], ['create'], 'cluster'), ...grants('', ['configmaps'], ['get', 'update'], 'cluster', 'istio-ca-root-cert')] },
  { why: 'istio-ca-root-cert: the namespaces to publish into', file: /^(security\/k8s\/root-cert-publisher|bootstrap\/kube-ca)\.ts$/, literal: /^\/api\/v1\/namespaces$/,
    grants: () => grants('', ['namespaces'], ['list', 'watch'], 'cluster') },
  { why: 'istio-ca-root-cert: existing copies, listed by name', file: /^security\/k8s\/root-cert-publisher\.ts$/, literal: /^\/api\/v1\/configmaps$/,
    grants: () => grants('', ['configmaps'], ['list'], 'cluster') },
  { why: 'istio-ca-secret: read and replaced on rotation', file: /^security\/ca\/k8s-secret-store\.ts$/, literal: /^\/api\/v1\/namespaces\/\{\}\/secrets\/\{\}$/,
    grants: () => grants('', ['secrets'], ['get', 'update'], 'istio-system', 'istio-ca-secret') },
  { why: 'istio-ca-secret: created once', file: /^security\/ca\/k8s-secret-store\.ts$/, literal: /^\/api\/v1\/namespaces\/\{\}\/secrets$/,
    grants: () => grants('', ['secrets'], ['create'], 'istio-system') },
  { why: 'CA: workloads authenticated by TokenReview', file: /^security\/authn\/token-review\.ts$/, literal: /^\/apis\/authentication\.k8s\.io\/v1\/tokenreviews$/,
    grants: () => grants('authentication.k8s.io', ['tokenreviews'], ['create'], 'cluster') },
  // Granted for work landing alongside (issues 6-8); the literal patterns catch it when it does.
  { why: 'status: validation messages (Istio) and conditions (Gateway API) written by the leader', file: /./, literal: /\/status$/,
    grants: () => [...perKind(statusKinds(), ['get']), ...perKind(statusKinds(), ['get', 'update', 'patch'], '/status')] },
  { why: 'gateway SDS: may this proxy read that Secret', file: /./, literal: /\/apis\/authorization\.k8s\.io\/v1\/subjectaccessreviews$/,
    grants: () => grants('authorization.k8s.io', ['subjectaccessreviews'], ['create'], 'cluster') },
  { why: 'webhooks: the leader patches the caBundle of istiod\'s own two configurations', file: /./, literal: /admissionregistration\.k8s\.io/,
    grants: () => [
      ...grants('admissionregistration.k8s.io', ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], ['get', 'list', 'watch'], 'cluster'),
      ...grants('admissionregistration.k8s.io', ['mutatingwebhookconfigurations'], ['update', 'patch'], 'cluster', 'istio-sidecar-injector'),
      ...grants('admissionregistration.k8s.io', ['validatingwebhookconfigurations'], ['update', 'patch'], 'cluster', 'istio-validator-istio-system'),
    ] },
  { why: 'gateway deployment: the leader reads, then server-side applies (apply creates when absent, so create too) each Gateway\'s ServiceAccount, Service and Deployment',
    file: /^bootstrap\/gateway-deployment-controller\.ts$/, literal: /^\/(api\/v1|apis\/\{\}\/\{\})\/namespaces\/\{\}\/\{\}\/\{\}$/,
    grants: () => [...grants('', ['serviceaccounts', 'services'], ['get', 'create', 'patch'], 'cluster'), ...grants('apps', ['deployments'], ['get', 'create', 'patch'], 'cluster')] },
  { why: 'gateway deployment: while leading, the ServiceAccounts, Deployments and Services it deployed are listed and watched (labelSelector gateway.istio.io/managed), so edits and deletions are repaired',
    file: /^model\/gateway-api\/deployment-children\.ts$/, literal: /^\/(api\/v1|apis\/apps\/v1)\/(serviceaccounts|services|deployments)\?labelSelector=\{\}$/,
    grants: () => [...grants('', ['serviceaccounts', 'services'], ['list', 'watch'], 'cluster'), ...grants('apps', ['deployments'], ['list', 'watch'], 'cluster')] },
  { why: 'proxy config provenance (filter metadata), not a request', file: /^translate\/common\/provenance\.ts$/, literal: /^\/apis\/\{\}/, grants: () => [], notAnApiCall: true },
];

/**
 * What the informers watch: the Kubernetes source's kinds plus every kind a src/ file names with
 * kindInfo('X') next to a collectionPath() call (the Secret and ConfigMap caches, for example).
 */
export function informerKinds(sourceKinds: readonly KindInfo[], sources: readonly { text: string }[]): KindInfo[] {
  const names = new Set<string>(sourceKinds.map((k) => k.kind));
  for (const { text } of sources) {
    if (!text.includes('collectionPath(')) continue;
    for (const m of text.matchAll(/kindInfo\('(\w+)'\)/g)) names.add(m[1]!);
  }
  return KINDS.filter((k) => names.has(k.kind)).map((k) => kindInfo(k.kind as KindName));
}

export interface FoundLiteral { readonly file: string; readonly line: number; readonly literal: string }
export interface FoundMethod { readonly file: string; readonly line: number; readonly method: string }

const isApiPath = (s: string) => /^\/apis?\//.test(s) || /\/status$/.test(s) || s.includes('admissionregistration.k8s.io') || s.includes('subjectaccessreviews');
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** API path literals and HTTP methods in one source file. */
export function scanSource(file: string, text: string): { literals: FoundLiteral[]; methods: FoundMethod[] } {
  const literals: FoundLiteral[] = [];
  const methods: FoundMethod[] = [];
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    let value: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) value = node.text;
    else if (ts.isTemplateExpression(node)) value = node.head.text + node.templateSpans.map((s) => `{}${s.literal.text}`).join('');
    if (value !== undefined && isApiPath(value)) literals.push({ file, line: lineOf(node), literal: value });
    if (ts.isStringLiteral(node) && METHODS.has(node.text)) {
      const parent = node.parent;
      const isArgument = ts.isCallExpression(parent) && parent.arguments.includes(node);
      const isMethodProperty = ts.isPropertyAssignment(parent) && parent.name.getText(sf) === 'method';
      if (isArgument || isMethodProperty) methods.push({ file, line: lineOf(node), method: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { literals, methods };
}

const METHOD_VERBS: Record<string, Verb[]> = { GET: ['get', 'list', 'watch'], POST: ['create'], PUT: ['update'], PATCH: ['patch'], DELETE: ['delete'] };

/**
 * Problems with the table against the scanned sources: a literal no entry covers, or a file
 * using an HTTP method that none of its entries grants.
 */
export function unaccounted(sources: readonly { file: string; text: string }[], uses: readonly ApiUse[]): string[] {
  const problems: string[] = [];
  for (const { file, text } of sources) {
    const { literals, methods } = scanSource(file, text);
    if (literals.length === 0) continue;
    const matched = new Set<ApiUse>();
    for (const l of literals) {
      const use = uses.find((u) => u.file.test(l.file) && u.literal.test(l.literal));
      if (use) matched.add(use);
      else problems.push(`src/${l.file}:${l.line} uses API path "${l.literal}": add it to apiUses (test/unit/deploy/api-uses.ts) with its verbs, and grant them in deploy/10-rbac.yaml`);
    }
    const verbs = new Set([...matched].filter((u) => !u.notAnApiCall).flatMap((u) => u.grants().map((g) => g.verb)));
    for (const m of methods) {
      if (!METHOD_VERBS[m.method]!.some((v) => verbs.has(v))) problems.push(`src/${m.file}:${m.line} sends ${m.method}, which no apiUses entry of that file grants (${METHOD_VERBS[m.method]!.join('/')})`);
    }
  }
  return problems;
}
