/** Shapes shared by the sidecar RDS builders. */
import type { ConfigObject } from '../../../model/config.js';
import type { HTTPRoute } from '../../../model/types/virtual-service.js';
import type { SidecarContext } from '../context.js';

export type Json = Record<string, unknown>;

/**
 * One VirtualService HTTP route ready to translate. Routes merged from a delegate keep the
 * delegate as their source (diagnostics name the object that wrote them) and resolve short
 * destination hosts in the delegate's namespace, as Istio does.
 */
export interface HttpRouteInput {
  readonly http: HTTPRoute;
  readonly source: ConfigObject;
  /** Field path of `http` inside `source`, e.g. `spec.http[2]`. */
  readonly path: string;
  readonly namespace: string;
}

/** What every route of one VirtualService on one listener port shares. */
export interface RouteScope {
  readonly ctx: SidecarContext;
  /** The root VirtualService: provenance and the decorator's fallback name. */
  readonly root: ConfigObject;
  readonly listenerPort: number;
  /** The root's provenance metadata, one object shared by its routes. */
  readonly metadata: Json;
  /** Routes for this gateway (`ns/name`), not for the mesh: match `gateways` are checked against it. */
  readonly gatewayName?: string;
}
