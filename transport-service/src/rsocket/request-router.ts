import {
  parseNotificationId,
  RECOVERY_INCOMPLETE_TYPE,
  ROUTES,
  RSOCKET_ERROR_CODES,
  formatReason,
  type RecoveryIncomplete,
} from '@notification-transport/contract';
import {
  Flags,
  FrameTypes,
  type RequestChannelFrame,
  type RequestFnfFrame,
  type RequestResponseFrame,
  type RequestStreamFrame,
} from 'rsocket-core';
import type { Replay } from '../broker/broker.js';
import type { Logger } from '../log/logger.js';
import { MalformedMetadataError, readRoute } from './route.js';
import type { NotificationSession } from './notification-session.js';

type RequestFrame = RequestStreamFrame | RequestResponseFrame | RequestFnfFrame | RequestChannelFrame;

const ROUTE_LIST = `${ROUTES.notifications} (REQUEST_STREAM), ${ROUTES.session} (REQUEST_RESPONSE)`;

/**
 * Answers each request by route and interaction: `notifications` opens a stream, `session` tells the client who it
 * is; anything else gets ERROR INVALID `[invalid-request]` on its stream and the connection stays up.
 */
export class RequestRouter {
  constructor(
    private readonly instance: string,
    private readonly feed: UserFeed,
    private readonly logger: Logger,
  ) {}

  route(session: NotificationSession, frame: RequestFrame): void {
    const problem = this.tryRoute(session, frame);
    if (problem !== undefined) {
      session.writeError(frame.streamId, RSOCKET_ERROR_CODES.INVALID, formatReason('invalid-request', problem));
    }
  }

  /** Serves the request, or returns why it is invalid. */
  private tryRoute(session: NotificationSession, frame: RequestFrame): string | undefined {
    if (Flags.hasFollows(frame.flags)) return 'fragmented requests are not supported; send each request in one frame';
    let route: string | undefined;
    try {
      route = readRoute(frame.metadata);
    } catch (error) {
      if (error instanceof MalformedMetadataError) return error.message;
      throw error;
    }
    if (frame.type === FrameTypes.REQUEST_STREAM && (route ?? ROUTES.notifications) === ROUTES.notifications) {
      return this.openNotifications(session, frame);
    }
    if (frame.type === FrameTypes.REQUEST_RESPONSE && route === ROUTES.session) {
      this.answerSession(session, frame.streamId);
      return undefined;
    }
    const interaction = FrameTypes[frame.type];
    return `no route ${route === undefined ? '(none given)' : JSON.stringify(route)} for ${interaction}; routes: ${ROUTE_LIST}`;
  }

  /**
   * Answers the `session` route once live delivery for the user is active: a client that treats this answer as
   * "connected" receives every notification committed after it.
   */
  private answerSession(session: NotificationSession, streamId: number): void {
    this.feed.ready(session.userId).then(
      () => session.respond(streamId, Buffer.from(JSON.stringify(session.sessionInfo(this.instance)))),
      (error: unknown) => {
        this.logger.warn({ err: error, userId: session.userId, connectionId: session.connectionId }, 'subscription failed');
        session.writeError(streamId, RSOCKET_ERROR_CODES.APPLICATION_ERROR, formatReason('internal', 'live delivery is not available; reconnect'));
      },
    );
  }

  /**
   * Opens the user's notification stream. With `{"lastEventId"}`, live delivery is held while the history after
   * that id is read (once the user's subscription is active, so nothing falls between the two), then merged.
   */
  private openNotifications(session: NotificationSession, frame: RequestStreamFrame): string | undefined {
    const request = parseStreamRequest(frame.data);
    if (typeof request === 'string') return request;
    const stream = session.openStream(frame.streamId, frame.requestN);
    if (request.lastEventId === undefined) return undefined;
    const [ms, seq] = parseNotificationId(request.lastEventId) as [number, number];
    stream.beginRecovery(ms, seq);
    const lastEventId = request.lastEventId;
    this.feed.replay(session.userId, lastEventId).then(
      (replay) => stream.endRecovery(replay, replay.complete ? undefined : recoveryIncomplete(lastEventId)),
      (error: unknown) => {
        this.logger.warn({ err: error, userId: session.userId, connectionId: session.connectionId }, 'recovery failed');
        stream.fail(RSOCKET_ERROR_CODES.APPLICATION_ERROR, formatReason('internal', 'could not read the history; reconnect with the same lastEventId'));
      },
    );
    return undefined;
  }
}

/** A user's feed on this instance: when live delivery is guaranteed, and the history for recovery. */
export interface UserFeed {
  /** Resolves once live delivery for the user is active here (its broker subscription is confirmed). */
  ready(userId: string): Promise<void>;
  /** The history after `afterId`, read once live delivery is active, so nothing falls between the two. */
  replay(userId: string, afterId: string): Promise<Replay>;
}

function parseStreamRequest(data: Buffer | null | undefined): { lastEventId?: string } | string {
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

/** The control message announcing that history no longer reaches back to `lastEventId`. */
function recoveryIncomplete(lastEventId: string): Buffer {
  const message: RecoveryIncomplete = {
    id: null,
    type: RECOVERY_INCOMPLETE_TYPE,
    payload: { lastEventId, message: 'notifications after lastEventId may have been missed; re-sync from your own API' },
    createdAt: new Date().toISOString(),
  };
  return Buffer.from(JSON.stringify(message));
}
