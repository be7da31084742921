/**
 * What an Envoy sidecar asks for after LDS and CDS: the route configurations its listeners name
 * (RDS) and the load assignments of its EDS clusters. Shared by the goldens and the e2e test.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;

/** Every `rds.route_config_name` anywhere in the listeners (HCMs in filter chains and default chains). */
export function routeConfigNames(listeners: readonly Json[]): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObject(v)) return;
    const rds = v.rds;
    if (isObject(rds) && typeof rds.route_config_name === 'string') names.add(rds.route_config_name);
    for (const child of Object.values(v)) walk(child);
  };
  walk(listeners);
  return [...names].sort();
}

/** The EDS service names of clusters of type EDS (eds_cluster_config.service_name, else the cluster name). */
export function edsClusterNames(clusters: readonly Json[]): string[] {
  const names = new Set<string>();
  for (const c of clusters) {
    if (c.type !== 'EDS') continue;
    const eds = c.eds_cluster_config;
    const serviceName = isObject(eds) && typeof eds.service_name === 'string' && eds.service_name !== '' ? eds.service_name : undefined;
    names.add(serviceName ?? String(c.name));
  }
  return [...names].sort();
}
