import type { Context, Middleware } from 'koa';
import { MethodNotAllowedError, NotFoundError } from '../errors/transport-error.js';

/** Handles one route's request; errors propagate to the error middleware. */
export type RouteHandler = (ctx: Context) => Promise<void> | void;

const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * Exact-path routing for the handful of REST routes: one map lookup per request. An unknown path is a 404, a known
 * path with another method a 405 listing the allowed ones; HEAD is served wherever GET is.
 */
export class RouteTable {
  private readonly routes = new Map<string, Map<string, RouteHandler>>();

  /** Registers `handler` for `method` on `path` (and HEAD along with GET). */
  add(method: string, path: string, handler: RouteHandler): this {
    const methods = this.routes.get(path) ?? new Map<string, RouteHandler>();
    methods.set(method, handler);
    if (method === 'GET') methods.set('HEAD', handler);
    this.routes.set(path, methods);
    return this;
  }

  /** The handler for the request, or a {@link NotFoundError} / {@link MethodNotAllowedError} to throw. */
  resolve(method: string, url: string): RouteHandler {
    const path = requestPath(url);
    const methods = path === undefined ? undefined : this.routes.get(path);
    if (path === undefined || methods === undefined) throw new NotFoundError(method, path ?? url);
    const handler = methods.get(method);
    if (handler === undefined) throw new MethodNotAllowedError(method, path, [...methods.keys()]);
    return handler;
  }

  /** The Koa middleware dispatching every request through the table. */
  middleware(): Middleware {
    return (ctx) => this.resolve(ctx.method, ctx.url)(ctx);
  }
}

/**
 * The path of a request target without its query, or `undefined` when it has none: origin-form (`/p?q`) is cut
 * by hand on the hot path; absolute-form (`http://h/p`) goes through the WHATWG parser, which cannot throw past here.
 */
function requestPath(url: string): string | undefined {
  if (url.startsWith('/')) {
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
  }
  if (!ABSOLUTE_FORM.test(url)) return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}
