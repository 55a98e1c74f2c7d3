import { parseNotificationId, ROUTES, type NotificationId } from '@notification-transport/contract';
import {
  Flags,
  FrameTypes,
  type RequestChannelFrame,
  type RequestFnfFrame,
  type RequestResponseFrame,
  type RequestStreamFrame,
} from 'rsocket-core';
import { parseReceiptConfirmation, type ReceiptConfirmationRequest } from './receipt-confirmation.js';
import { MalformedMetadataError, readRoute } from './route.js';

/** A request frame: the four interactions a client can start. */
export type RequestFrame = RequestStreamFrame | RequestResponseFrame | RequestFnfFrame | RequestChannelFrame;

/** What to do with one request. */
export type RouteDecision =
  /** Open the user's notification stream with `credits`, recovering after `lastEventId` when given. */
  | { action: 'open-stream'; streamId: number; credits: number; lastEventId?: NotificationId }
  /** Answer the `session` route. */
  | { action: 'answer-session'; streamId: number }
  /** Apply a receipt confirmation (REQUEST_FNF `receipt`) for the connection's own user. */
  | ({ action: 'confirm-receipts' } & ReceiptConfirmationRequest)
  /** Do nothing: a fire-and-forget that cannot be acted on (it has no answer to carry an error). */
  | { action: 'ignore'; detail: string }
  /** Refuse the request on its stream with ERROR INVALID `[invalid-request]`; the connection stays. */
  | { action: 'refuse'; streamId: number; detail: string };

const ROUTE_LIST = `${ROUTES.notifications} (REQUEST_STREAM), ${ROUTES.session} (REQUEST_RESPONSE), ${ROUTES.receipt} (REQUEST_FNF)`;

/**
 * Decides a request by its route (composite metadata `message/x.rsocket.routing.v0`) and interaction, with no side
 * effects: REQUEST_STREAM `notifications` (also with no route) opens a stream, REQUEST_RESPONSE `session` answers
 * who the client is, REQUEST_FNF `receipt` confirms receipts (a malformed one is ignored), anything else is refused
 * on its stream.
 */
export function routeRequest(frame: RequestFrame): RouteDecision {
  const { streamId } = frame;
  if (Flags.hasFollows(frame.flags)) return { action: 'refuse', streamId, detail: 'fragmented requests are not supported; send each request in one frame' };
  let route: string | undefined;
  try {
    route = readRoute(frame.metadata);
  } catch (error) {
    if (error instanceof MalformedMetadataError) return { action: 'refuse', streamId, detail: error.message };
    throw error;
  }
  if (frame.type === FrameTypes.REQUEST_STREAM && (route ?? ROUTES.notifications) === ROUTES.notifications) {
    return streamDecision(frame);
  }
  if (frame.type === FrameTypes.REQUEST_RESPONSE && route === ROUTES.session) return { action: 'answer-session', streamId };
  if (frame.type === FrameTypes.REQUEST_FNF && route === ROUTES.receipt) {
    const confirmation = parseReceiptConfirmation(frame.data);
    return typeof confirmation === 'string' ? { action: 'ignore', detail: confirmation } : { action: 'confirm-receipts', ...confirmation };
  }
  const name = route === undefined ? '(none given)' : JSON.stringify(route);
  return { action: 'refuse', streamId, detail: `no route ${name} for ${FrameTypes[frame.type]}; routes: ${ROUTE_LIST}` };
}

function streamDecision(frame: RequestStreamFrame): RouteDecision {
  const { streamId, requestN } = frame;
  if (requestN === 0) return { action: 'refuse', streamId, detail: 'the initial request N must be greater than 0' };
  const request = parseStreamRequest(frame.data);
  if (typeof request === 'string') return { action: 'refuse', streamId, detail: request };
  return { action: 'open-stream', streamId, credits: requestN, ...request };
}

/** The `notifications` request data: empty, or `{"lastEventId": "<id>"}`; a string says what is wrong. */
function parseStreamRequest(data: Buffer | null | undefined): { lastEventId?: NotificationId } | string {
  if (!data || data.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    return 'notifications request data must be empty or JSON {"lastEventId": "<id>"}';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'notifications request data must be a JSON object';
  const { lastEventId, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `unknown field ${JSON.stringify(unknown[0])} in notifications request data`;
  if (lastEventId === undefined || lastEventId === null) return {};
  if (typeof lastEventId !== 'string' || parseNotificationId(lastEventId) === undefined) {
    return 'lastEventId must be a notification id such as "1732380000000-0"';
  }
  return { lastEventId };
}
