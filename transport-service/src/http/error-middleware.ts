import type { RestErrorBody, RestErrorCode } from '@notification-transport/contract';
import type { Context, Middleware } from 'koa';
import { MethodNotAllowedError, TransportError, UnauthorizedError } from '../errors/transport-error.js';
import type { Logger } from '../log/logger.js';
import { drainRejectedBody } from './drain-rejected-body.js';

/** REST codes for the 4xx statuses an exposed Koa/http-errors error may carry; any other 4xx is a schema error. */
const CODE_BY_STATUS: ReadonlyMap<number, RestErrorCode> = new Map([
  [401, 'unauthorized'],
  [404, 'not_found'],
  [405, 'method_not_allowed'],
  [409, 'idempotency_conflict'],
  [413, 'payload_too_large'],
  [415, 'unsupported_media_type'],
]);

/** An error thrown by Koa's `ctx.throw`/http-errors: `expose` marks a message meant for the client. */
interface ExposedHttpError extends Error {
  status: number;
  expose: true;
}

/**
 * The REST API's single error boundary: a {@link TransportError} becomes its status and the contract's
 * `{"error":{"code","message"}}` body; an exposed 4xx from Koa keeps its status; anything else is a logged 500.
 * A request body left unread by the refusal is drained (bounded) so the answer reaches the client.
 */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      respondWithFailure(ctx, err, logger);
    }
  };
}

/** Answers a request that failed with `err` exactly as the error boundary does (for routes that catch their own). */
export function respondWithFailure(ctx: Context, err: unknown, logger: Logger): void {
  respondWithError(ctx, toTransportError(err) ?? internalError(ctx, err, logger));
}

function respondWithError(ctx: Context, error: TransportError): void {
  if (ctx.headerSent) return;
  if (!ctx.req.complete) drainRejectedBody(ctx.req, ctx.res);
  if (error instanceof MethodNotAllowedError) ctx.set('Allow', error.allowed.join(', '));
  if (error instanceof UnauthorizedError) ctx.set('WWW-Authenticate', 'Bearer');
  const body: RestErrorBody = { error: { code: error.code, message: error.message } };
  ctx.status = error.status;
  ctx.body = body;
}

function toTransportError(err: unknown): TransportError | undefined {
  if (err instanceof TransportError) return err;
  if (!isExposedClientError(err)) return undefined;
  return new TransportError(err.message, CODE_BY_STATUS.get(err.status) ?? 'invalid_body', err.status);
}

function isExposedClientError(err: unknown): err is ExposedHttpError {
  if (!(err instanceof Error)) return false;
  const { status, expose } = err as Partial<ExposedHttpError>;
  return expose === true && typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500;
}

function internalError(ctx: Context, err: unknown, logger: Logger): TransportError {
  logger.error({ err, method: ctx.method, url: ctx.url }, 'REST request failed unexpectedly');
  return new TransportError('internal error; the failure was logged', 'internal_error', 500);
}
