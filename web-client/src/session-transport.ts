import type { NotificationId, ReceiptConfirmation, SessionInfo } from '@notification-transport/contract';
import type { ClientReason } from './client-reason.js';
import type { FrameRecord } from './frame-log.js';

/** Everything one connection attempt needs. */
export interface SessionRequest {
  url: string;
  token: string | undefined;
  userId: string | undefined;
  keepAlive: number;
  lifetime: number;
  lastEventId: NotificationId | undefined;
  /** Initial REQUEST_N of the notifications stream. */
  credits: number;
}

/** How a session ended: the reason token (or the client's own reason) and the sentence that came with it. */
export interface SessionEnd {
  reason: ClientReason;
  message: string;
}

/** Callbacks of one session; none is called after `onEnd`, and `onEnd` is called at most once. */
export interface SessionHandlers {
  /** The `session` route answered: the SETUP was accepted. The notifications stream opens right after. */
  onSession(info: SessionInfo): void;
  /** The UTF-8 data of one PAYLOAD of the notifications stream. */
  onPayload(text: string): void;
  onEnd(end: SessionEnd): void;
}

/** One live (or opening) connection, from the client's side. */
export interface Session {
  /** Grants `n` more credits on the notifications stream. */
  request(n: number): void;
  /**
   * Writes a REQUEST_FNF on the `receipt` route; false (nothing written) unless the connection is open. Fire and
   * forget: written is all anyone can know.
   */
  confirm(confirmation: ReceiptConfirmation): boolean;
  /** Closes the connection without calling `onEnd`; idempotent. */
  close(): void;
}

/** Opens a session at once (the handle is usable while it connects); the seam between the client and rsocket-js. */
export type SessionOpener = (request: SessionRequest, handlers: SessionHandlers, onFrame?: (record: FrameRecord) => void) => Session;
