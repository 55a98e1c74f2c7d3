import { parseNotificationId, type Notification, type NotificationId, type ReceiptConfirmation } from '@notification-transport/contract';
import type { ClientEvent } from '../client-event.js';
import type { ConnectionState } from '../connection-state.js';

/** What the leader tab's connection produced, as every tab of the group applies it. */
export type FeedMessage =
  | { kind: 'state'; state: ConnectionState }
  | { kind: 'notification'; notification: Notification }
  | { kind: 'event'; event: ClientEvent };

/**
 * The messages tabs of one group exchange over their BroadcastChannel. Every message names its sender (`from`, a
 * random tab id); a follower applies feed messages only from the leader it knows of, so a late message from a tab
 * that lost the lead never mixes with the new leader's.
 */
export type TabMessage =
  | (FeedMessage & { from: string })
  /** A tab just took the lock: the tab that held it is gone (closed, navigated away or crashed). */
  | { kind: 'leader'; from: string }
  /** The leader closes and hands over; the next leader announces itself with `leader`. */
  | { kind: 'resign'; from: string }
  /**
   * A tab joins (`joined` false) or re-joins after a hand-over (`joined` true) with the last id it was given; `connect`
   * asks a stopped connection to start.
   */
  | { kind: 'hello'; from: string; nonce: number; lastEventId: NotificationId | undefined; joined: boolean; connect: boolean }
  /** The leader's answer to one `hello`: its state now, its last id and what the tab missed after its own. */
  | {
      kind: 'welcome';
      from: string;
      to: string;
      nonce: number;
      state: ConnectionState;
      lastEventId: NotificationId | undefined;
      catchUp: Notification[];
      complete: boolean;
    }
  /** A follower's `markRead` ids for the leader to confirm; sent again to each new leader until acknowledged. */
  | { kind: 'read'; from: string; ids: NotificationId[] }
  /** The leader wrote this confirmation to the connection (or had written it before): nothing in it is owed any more. */
  | { kind: 'receipts'; from: string; confirmation: ReceiptConfirmation };

const KINDS: ReadonlySet<string> = new Set(['state', 'notification', 'event', 'leader', 'resign', 'hello', 'welcome', 'read', 'receipts']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function idList(value: unknown): boolean {
  return Array.isArray(value) && value.every((id) => typeof id === 'string' && parseNotificationId(id) !== undefined);
}

function wellFormedConfirmation(value: unknown): boolean {
  return isRecord(value) && (idList(value.delivered) || idList(value.read));
}

function wellFormedNotification(value: unknown): boolean {
  return isRecord(value) && typeof value.id === 'string' && parseNotificationId(value.id) !== undefined && typeof value.type === 'string';
}

/**
 * The message in a channel event's data, or `undefined` for anything else. Only tabs of this origin running this
 * protocol version share the channel, so this checks the shape the receiver relies on, not every field.
 */
export function parseTabMessage(data: unknown): TabMessage | undefined {
  if (!isRecord(data) || typeof data.kind !== 'string' || !KINDS.has(data.kind) || typeof data.from !== 'string') return undefined;
  if (data.kind === 'notification' && !wellFormedNotification(data.notification)) return undefined;
  if (data.kind === 'welcome' && !(Array.isArray(data.catchUp) && data.catchUp.every(wellFormedNotification))) return undefined;
  if (data.kind === 'read' && !idList(data.ids)) return undefined;
  if (data.kind === 'receipts' && !wellFormedConfirmation(data.confirmation)) return undefined;
  return data as TabMessage;
}
