import type { Middleware } from 'koa';
import type { Logger } from '../log/logger.js';
import { respondWithFailure } from './error-middleware.js';
import type { RouteHandler } from './route-table.js';

/**
 * The hot route in front of the rest of the chain: a request for exactly `method` `path` (origin-form, any query) is
 * handled here without passing the error boundary and the route table, and its failures are answered by the same
 * mapping the boundary uses, so status, code, message and headers are the same either way. Any other request goes on
 * down the chain (the route table also serves this route, for absolute-form targets).
 */
export function leanRoute(method: string, path: string, handler: RouteHandler, logger: Logger): Middleware {
  const withQuery = `${path}?`;
  return (ctx, next) => {
    const { method: requested, url = '' } = ctx.req;
    if (requested !== method || (url !== path && !url.startsWith(withQuery))) return next();
    try {
      return Promise.resolve(handler(ctx)).catch((err: unknown) => respondWithFailure(ctx, err, logger));
    } catch (err) {
      respondWithFailure(ctx, err, logger);
      return Promise.resolve();
    }
  };
}
