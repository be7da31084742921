/**
 * URL routing of resource requests (/api/v1/..., /apis/{group}/{version}/..., the legacy
 * /watch/ prefix) and the discovery documents (/api, /apis, /api/v1, /apis/{g}/{v}, /version)
 * that clients such as KubernetesObjectApi read to map kinds to resources.
 */
import { apiVersionOf, type ResourceType, type ResourceTypes } from './resource-types.js';
import type { Target } from './rest.js';
import { reply, type Reply } from './types.js';

export interface Route {
  readonly target: Target;
  /** The legacy /watch/ path form. */
  readonly watchPath: boolean;
}

/** The resource request a path names; undefined when it names none (404). */
export function parseResourcePath(path: string, types: ResourceTypes): Route | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') [group, version, rest] = ['', 'v1', parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
  else return undefined;
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  const namespacedType = rest[0] === 'namespaces' && rest.length >= 3 ? types.byPath(group, version, rest[2]!) : undefined;
  if (namespacedType?.namespaced && rest.length <= 5) {
    return { watchPath, target: { type: namespacedType, version, namespace: rest[1], name: rest[3], subresource: rest[4] } };
  }
  const type = rest[0] === undefined ? undefined : types.byPath(group, version, rest[0]);
  if (!type || rest.length > 3 || (type.namespaced && rest.length > 1)) return undefined;
  return { watchPath, target: { type, version, name: rest[1], subresource: rest[2] } };
}

function resourceList(groupVersion: string, types: readonly ResourceType[]): object {
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  const resources = types.flatMap((t) => [
    { name: t.plural, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs },
    ...(t.statusSubresource ? [{ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }] : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

/** The discovery document at `path`, if it is one. */
export function discovery(path: string, types: ResourceTypes): Reply | undefined {
  const all = types.all();
  const clean = path.replace(/\/+$/, '');
  if (clean === '/version') return reply(200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' });
  if (clean === '/api') return reply(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  if (clean === '/api/v1') return reply(200, resourceList('v1', all.filter((t) => t.group === '')));
  const groups = [...new Set(all.filter((t) => t.group !== '').map((t) => t.group))];
  if (clean === '/apis') {
    const list = groups.map((name) => {
      const versions = [...new Set(all.filter((t) => t.group === name).flatMap((t) => t.versions))].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions, preferredVersion: versions[0] };
    });
    return reply(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: list });
  }
  const m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(clean);
  if (m && groups.includes(m[1]!)) {
    const served = all.filter((t) => t.group === m[1] && t.versions.includes(m[2]!));
    if (served.length > 0) return reply(200, resourceList(apiVersionOf(served[0]!, m[2]), served));
  }
  return undefined;
}
