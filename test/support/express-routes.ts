/**
 * The routes an Express app or router has registered, read from its own routing table (Express 5,
 * `router` 2.x layers): `{ method, path }` for every route, descending into mounted routers.
 * A route registered for every HTTP method (`all()`: Nest's not-found handler on each path
 * excluded from the global prefix, and under the prefix) is a catch-all, not an operation.
 */
import { METHODS } from 'node:http';

export interface RegisteredRoute {
  readonly method: string;
  /** Express style, e.g. `/api/v1/users/:id`. */
  readonly path: string;
}

interface Layer {
  readonly route?: { readonly path: string | string[]; readonly methods: Record<string, boolean> };
  readonly handle?: { readonly stack?: unknown };
  readonly rawPath?: string | string[];
}

export function expressRoutes(stack: readonly unknown[], prefix = ''): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  for (const layer of stack as readonly Layer[]) {
    if (layer.route && METHODS.every((method) => layer.route!.methods[method.toLowerCase()])) continue;
    if (layer.route) {
      for (const path of [layer.route.path].flat()) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') routes.push({ method, path: `${prefix}${path}`.replace(/(.)\/$/, '$1') });
        }
      }
    } else if (Array.isArray(layer.handle?.stack)) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      routes.push(...expressRoutes(layer.handle.stack, `${prefix}${mount}`));
    }
  }
  return routes;
}
