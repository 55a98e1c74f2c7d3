import type { RequestListener } from 'node:http';
import type Koa from 'koa';
import type { Context } from 'koa';
import type { Logger } from '../log/logger.js';
import { respondWithFailure } from './error-middleware.js';
import type { RouteHandler } from './route-table.js';

/** The one route served past the middleware chain: every notification enters through it. */
export interface HotRoute {
  method: string;
  /** Matched exactly, origin-form, with or without a query. */
  path: string;
  /** Answers on its own (`ctx.respond = false`, the response written to `ctx.res`); throws or rejects on failure. */
  handler: RouteHandler;
}

/**
 * The request listener of the REST API. Every request is the Koa app's: the hot route's requests get a Koa context
 * from the app (`app.createContext`, the method `app.callback()` itself uses; Koa marks it internal, and the version
 * is pinned) and go straight to their handler, which answers on its own as Koa's `ctx.respond = false` provides;
 * every other request goes through `app.callback()`, the middleware chain (error boundary, route table), and Koa's
 * response handling. What the hot route skips is what a request pays in Koa besides its context: the promise chain
 * composing the middleware and Koa's `on-finished` listeners on the response and the socket. Its failures are
 * answered by the function the error boundary uses, written the way Koa writes a JSON body, so every status, code,
 * message and header is the same either way (the route table also serves this route, for absolute-form targets).
 * The middleware chain is composed once, here: the app must be complete before this is called.
 */
export function restListener(app: Koa, hot: HotRoute, logger: Logger): RequestListener {
  const handle = app.callback();
  const withQuery = `${hot.path}?`;
  return (req, res) => {
    const { url = '' } = req;
    if (req.method !== hot.method || (url !== hot.path && !url.startsWith(withQuery))) {
      void handle(req, res);
      return;
    }
    const ctx = app.createContext(req, res);
    let answering: Promise<void> | void;
    try {
      answering = hot.handler(ctx);
    } catch (err) {
      answerFailure(ctx, err, logger);
      return;
    }
    if (answering === undefined) return answerIfSilent(ctx, logger);
    answering.then(
      () => answerIfSilent(ctx, logger),
      (err: unknown) => answerFailure(ctx, err, logger),
    );
  };
}

/** A handler that finished without answering is a bug: the client gets the logged 500 instead of a hung request. */
function answerIfSilent(ctx: Context, logger: Logger): void {
  if (!ctx.res.headersSent) answerFailure(ctx, new Error(`${ctx.method} ${ctx.path} finished without answering`), logger);
}

/**
 * The error boundary's answer, written as Koa's response handling writes a JSON body. It never throws: this is the
 * last stop of the request (no Koa `onerror` behind it), so a failure here is logged and the connection cut.
 */
function answerFailure(ctx: Context, err: unknown, logger: Logger): void {
  const { res } = ctx;
  try {
    respondWithFailure(ctx, err, logger);
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    const json = JSON.stringify(ctx.body);
    ctx.length = Buffer.byteLength(json);
    res.end(json);
  } catch (failure) {
    logger.error({ err: failure, cause: err }, 'answering a failed REST request failed; the connection is cut');
    res.destroy();
  }
}
