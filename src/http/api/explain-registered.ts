import { apiLocations } from './areas/index.js';
import { explainRoute, type RouteExplanation } from './areas/lapis/route-explanation.js';
import { ApiRegistry } from './registry.js';

let registry: ApiRegistry | undefined;

/** `lapis explain`: the same explanation the API gives, over every location the server registers. */
export function explainRegisteredRoute(method: string, path: string): RouteExplanation {
  registry ??= new ApiRegistry(apiLocations);
  return explainRoute(registry, method, path);
}
