import { RSOCKET_ERROR_CODES as CODES, type Reason } from '@notification-transport/contract';

/** How a connection or a stream ends: what the client is told and how the socket closes. */
export interface Ending {
  /** The contract's reason token that starts the ERROR frame's data; absent when no ERROR frame is sent. */
  reason: Reason | undefined;
  /** The RSocket ERROR code; absent when no ERROR frame is sent. */
  code: number | undefined;
  /** `connection`: ERROR on stream 0, then the socket closes. `stream`: ERROR on that stream; the connection stays. */
  scope: 'connection' | 'stream';
  /** The WebSocket close code (connection endings only). */
  wsClose?: number;
}

/**
 * Every way the server ends a connection or a stream, written once. WebSocket close codes: 1002 protocol error
 * (a malformed or unacceptable SETUP or frame), 1008 policy (identity, limits, eviction, token expiry), 1009 too
 * big, 1001 going away (draining, a silent client), 1011 internal, 1013 try again later (slow consumer): the three
 * the client reconnects after (`[draining]`, `[internal]`, `[slow-consumer]`) are exactly 1001, 1011 and 1013.
 */
export const ENDINGS = {
  /** A malformed SETUP, or a first frame that is not SETUP (or not on stream 0), or no SETUP in time. */
  'invalid-setup': { reason: 'invalid-setup', code: CODES.INVALID_SETUP, scope: 'connection', wsClose: 1002 },
  /** A SETUP this server cannot serve: another major version, other MIME types, the lease flag. */
  'unsupported-setup': { reason: 'invalid-setup', code: CODES.UNSUPPORTED_SETUP, scope: 'connection', wsClose: 1002 },
  /** A SETUP with the resume flag: this server does not resume (recovery uses lastEventId). */
  'resume-refused': { reason: 'invalid-setup', code: CODES.REJECTED_SETUP, scope: 'connection', wsClose: 1002 },
  /** A RESUME frame. */
  'resume-rejected': { reason: 'invalid-setup', code: CODES.REJECTED_RESUME, scope: 'connection', wsClose: 1002 },
  /** keepAlive or lifetime outside the accepted bounds. */
  bounds: { reason: 'bounds', code: CODES.UNSUPPORTED_SETUP, scope: 'connection', wsClose: 1002 },
  /** No acceptable identity. */
  auth: { reason: 'auth', code: CODES.REJECTED_SETUP, scope: 'connection', wsClose: 1008 },
  /** The token had already expired at SETUP. */
  'token-expired-at-setup': { reason: 'token-expired', code: CODES.REJECTED_SETUP, scope: 'connection', wsClose: 1008 },
  /** The user holds MAX_CONNECTIONS_PER_USER connections already (`reject-new`). */
  'connection-limit': { reason: 'connection-limit', code: CODES.REJECTED_SETUP, scope: 'connection', wsClose: 1008 },
  /** The connection limit could not be checked (Redis unreachable): try again shortly. */
  'setup-unavailable': { reason: 'internal', code: CODES.REJECTED_SETUP, scope: 'connection', wsClose: 1011 },
  /** The token of an accepted connection expired. */
  'token-expired': { reason: 'token-expired', code: CODES.CONNECTION_ERROR, scope: 'connection', wsClose: 1008 },
  /** A newer connection of the user took this one's slot (`evict-oldest`). */
  replaced: { reason: 'replaced', code: CODES.CONNECTION_ERROR, scope: 'connection', wsClose: 1008 },
  /** More waited to be written, or for credit, than the connection's outbound budget allows. */
  'slow-consumer': { reason: 'slow-consumer', code: CODES.CONNECTION_ERROR, scope: 'connection', wsClose: 1013 },
  /** A frame, or its metadata and data, over the input limits. */
  'too-large': { reason: 'too-large', code: CODES.CONNECTION_ERROR, scope: 'connection', wsClose: 1009 },
  /** A frame the protocol does not allow here, or a flood of frames. */
  'protocol-error': { reason: 'invalid-request', code: CODES.CONNECTION_ERROR, scope: 'connection', wsClose: 1002 },
  /** Something failed inside the server, or live delivery was interrupted: reconnect (with lastEventId). */
  internal: { reason: 'internal', code: CODES.CONNECTION_ERROR, scope: 'connection', wsClose: 1011 },
  /** The instance shuts down: streams first get `stream-draining`, then CONNECTION_CLOSE. */
  draining: { reason: 'draining', code: CODES.CONNECTION_CLOSE, scope: 'connection', wsClose: 1001 },
  /** Nothing arrived from the client for its lifetime: dropped without an ERROR (it is presumed gone). */
  silent: { reason: undefined, code: undefined, scope: 'connection', wsClose: 1001 },
  /** The client ended the connection (ERROR CONNECTION_ERROR or CONNECTION_CLOSE on stream 0). */
  'client-closed': { reason: undefined, code: undefined, scope: 'connection', wsClose: 1000 },
  /** A request with no route for its interaction, bad request data, or a fragmented request. */
  'invalid-request': { reason: 'invalid-request', code: CODES.INVALID, scope: 'stream' },
  /** The notification stream ends because the instance shuts down (CONNECTION_CLOSE follows). */
  'stream-draining': { reason: 'draining', code: CODES.APPLICATION_ERROR, scope: 'stream' },
  /** A request could not be served (history or subscription unavailable): retry. */
  'stream-internal': { reason: 'internal', code: CODES.APPLICATION_ERROR, scope: 'stream' },
} as const satisfies Record<string, Ending>;

/** The name of one row of {@link ENDINGS}. */
export type EndingName = keyof typeof ENDINGS;

/** The rows that end a whole connection. */
export type ConnectionEnding = { [K in EndingName]: (typeof ENDINGS)[K]['scope'] extends 'connection' ? K : never }[EndingName];

/** The rows that end one stream. */
export type StreamEnding = Exclude<EndingName, ConnectionEnding>;
