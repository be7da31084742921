/** The names a sidecar subscribes to after LDS/CDS; shared with the sidecar goldens and e2e test. */
export { edsClusterNames, routeConfigNames } from '../../test/golden/translate-sidecar/references.js';
