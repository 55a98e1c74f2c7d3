import type { AcceptedNotification, SendNotificationResponse } from '@notification-transport/contract';
import type { Context } from 'koa';
import type { IdempotencyKey } from '../notifications/notification-publisher.js';
import type { SendRequest } from '../notifications/send-request.js';
import { parseIdempotencyKey } from './parse-idempotency-key.js';
import type { InitiatorAuth } from './initiator-auth.js';
import { parseSendRequest } from './parse-send-request.js';
import { readJsonBody } from './read-json-body.js';
import type { RouteHandler } from './route-table.js';

/** What the REST layer needs from the notification publisher. */
export interface NotificationSender {
  /** Commits the validated request (idempotently with a key); resolves to the contract's 202 body. */
  send(request: SendRequest, idempotencyKey?: IdempotencyKey, scope?: string): Promise<SendNotificationResponse>;
}

/** `POST /api/v1/notifications`: authenticate, read, validate, commit, answer 202 with one entry per distinct user. */
export function sendNotificationHandler(auth: InitiatorAuth, sender: NotificationSender, maxBodyBytes: number): RouteHandler {
  return async (ctx) => {
    const { req } = ctx;
    const scope = auth.check(req.headers.authorization || undefined);
    const key = parseIdempotencyKey(headerValue(req.headers['idempotency-key']));
    const body = await readJsonBody(req, maxBodyBytes);
    const accepted = await sender.send(parseSendRequest(body), key === undefined ? undefined : { scope, key }, scope);
    respondAccepted(ctx, accepted);
  };
}

/** A request header's value as Koa's `ctx.get` gives it (repeated headers joined), `undefined` when absent or empty. */
function headerValue(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(', ') : value;
  return joined || undefined;
}

/**
 * The 202, written straight to the response (Koa's `respond` is skipped): the same status, headers and body Koa
 * would send for `ctx.body = accepted`, without its body-type inference and per-header bookkeeping.
 */
function respondAccepted(ctx: Context, accepted: SendNotificationResponse): void {
  const json = acceptedJson(accepted);
  ctx.respond = false;
  ctx.res.writeHead(202, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(json))]);
  ctx.res.end(json);
}

/**
 * `JSON.stringify(accepted)`, written out: the 202 body is the same few fields every time (ids are digits and `-`,
 * nothing to escape), and the generic serializer cost as much as the rest of the handler.
 */
export function acceptedJson({ notifications }: SendNotificationResponse): string {
  let json = '{"notifications":[';
  for (let i = 0; i < notifications.length; i += 1) {
    const { userId, id, online } = notifications[i] as AcceptedNotification;
    json += `${i === 0 ? '' : ','}{"userId":${JSON.stringify(userId)},"id":"${id}","online":${online}}`;
  }
  return `${json}]}`;
}
