import { RECEIPT_LIMITS, userIdProblem, parseNotificationId, type ReceiptView, type ReceiptWaitFor } from '@notification-transport/contract';
import type { Middleware } from 'koa';
import { InvalidQueryError, MethodNotAllowedError, ReceiptNotFoundError } from '../errors/transport-error.js';
import type { InitiatorAuth } from './initiator-auth.js';

/** What the REST layer needs from receipts. */
export interface ReceiptReader {
  read(userId: string, id: string, scope: string, wait?: { waitFor: ReceiptWaitFor; timeoutMs: number; signal?: AbortSignal }): Promise<ReceiptView>;
}

const RECEIPT_PATH = /^\/api\/v1\/notifications\/([^/]+)\/([^/]+)\/receipt$/;
const QUERY_NAMES: ReadonlySet<string> = new Set(['waitFor', 'timeoutMs']);

/**
 * `GET /api/v1/notifications/{userId}/{id}/receipt[?waitFor=delivered|read&timeoutMs=N]`: the receipt, to the
 * initiator key that sent the notification only. Other paths pass through to the route table.
 */
export function receiptHandler(auth: InitiatorAuth, receipts: ReceiptReader): Middleware {
  return async (ctx, next) => {
    const match = RECEIPT_PATH.exec(ctx.path);
    if (!match) {
      await next();
      return;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new MethodNotAllowedError(ctx.method, ctx.path, ['GET', 'HEAD']);
    const scope = auth.check(ctx.get('Authorization') || undefined);
    const [userId, id] = [decode(match[1] as string), decode(match[2] as string)];
    const wait = parseWait(ctx.URL.searchParams);
    if (userId === undefined || id === undefined || userIdProblem(userId) !== undefined || parseNotificationId(id) === undefined) {
      throw new ReceiptNotFoundError(userId ?? match[1] ?? '', id ?? match[2] ?? '');
    }
    // The response closing before it was sent means the client went away: its waiter is dropped at once.
    const gone = new AbortController();
    ctx.res.once('close', () => gone.abort());
    ctx.body = await receipts.read(userId, id, scope, wait && { ...wait, signal: gone.signal });
  };
}

function parseWait(query: URLSearchParams): { waitFor: ReceiptWaitFor; timeoutMs: number } | undefined {
  for (const name of query.keys()) if (!QUERY_NAMES.has(name)) throw new InvalidQueryError(`unknown query parameter ${JSON.stringify(name)}; allowed: waitFor, timeoutMs`);
  const waitFor = query.get('waitFor');
  const timeout = query.get('timeoutMs');
  const { maxWaitMs } = RECEIPT_LIMITS;
  if (waitFor === null) {
    if (timeout !== null) throw new InvalidQueryError('timeoutMs needs waitFor=delivered or waitFor=read');
    return undefined;
  }
  if (waitFor !== 'delivered' && waitFor !== 'read') throw new InvalidQueryError(`waitFor must be delivered or read, got ${JSON.stringify(waitFor)}`);
  if (timeout === null) return { waitFor, timeoutMs: maxWaitMs };
  if (!/^\d{1,6}$/.test(timeout) || Number(timeout) > maxWaitMs) {
    throw new InvalidQueryError(`timeoutMs must be an integer from 0 to ${maxWaitMs}, got ${JSON.stringify(timeout)}`);
  }
  return { waitFor, timeoutMs: Number(timeout) };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
