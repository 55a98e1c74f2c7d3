import type { NotificationId } from '@notification-transport/contract';
import type { ControlMessage } from './stream-message.js';

/** Stable codes of the `error` events. */
export type ClientErrorCode =
  /** The token provider threw or returned no token; the client retries with backoff. */
  | 'token-provider'
  /** The server broke the contract (e.g. a malformed `session` answer); the client reconnects. */
  | 'protocol'
  /** Receipt confirmations waiting for a connection went over the bound; the oldest were dropped. */
  | 'receipt-overflow'
  /** A bug in the client: an illegal state transition outside strict mode. */
  | 'internal';

/** Control and diagnostic events on `events$`; the bus carries them so that nothing is thrown at the page. */
export type ClientEvent =
  /** History no longer reached back to `lastEventId`: re-sync from your own API. */
  | { kind: 'recovery-incomplete'; lastEventId: NotificationId | undefined; payload: unknown }
  /** A control message this client version does not know; kept for forward compatibility. */
  | { kind: 'control'; message: ControlMessage }
  /** A PAYLOAD that is not a valid notification; it was dropped (its credit is still replenished). */
  | { kind: 'bad-payload'; problem: string; data: string }
  /** A notification whose id was already delivered; it was dropped. */
  | { kind: 'duplicate'; id: NotificationId }
  /** `getNotificationClient()` was asked again with options that differ from the first call's; they were ignored. */
  | { kind: 'options-ignored'; keys: string[] }
  /** Something went wrong that the client handled; `message` says what. */
  | { kind: 'error'; code: ClientErrorCode; message: string };
