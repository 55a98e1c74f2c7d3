import { parseNotificationId, type NotificationId } from '@notification-transport/contract';
import type { Delivery, NotificationDraft } from './broker.js';

/**
 * Everything of a notification's JSON after its id: `,"type":…,"payload":…,"createdAt":"…"}` (and `,"receipt":true`
 * when a receipt was asked). Built once per request by concatenation from the already-serialized payload, so the
 * payload is never parsed or stringified again; the broker prepends the id it assigns (`{"id":"<id>"` + suffix), in
 * the contract's field order.
 */
export function notificationSuffix(draft: NotificationDraft): string {
  return `,"type":${JSON.stringify(draft.type)},"payload":${draft.payloadJson},"createdAt":"${draft.createdAt}"${draft.receipt ? ',"receipt":true' : ''}}`;
}

/** The PAYLOAD data of one notification from its id and suffix. Ids are digits and `-`: nothing to escape. */
export function encodeNotification(id: NotificationId, suffix: string): Buffer {
  return Buffer.from(`{"id":"${id}"${suffix}`);
}

/**
 * The PAYLOAD data of one notification from its id and its suffix already encoded: one copy of the suffix's bytes,
 * no string flattening or UTF-8 encoding per recipient (what a content shared by many recipients needs).
 */
export function encodeNotificationBytes(id: NotificationId, suffix: Buffer): Buffer {
  const head = `{"id":"${id}"`;
  const data = Buffer.allocUnsafe(head.length + suffix.length);
  data.write(head, 0, 'latin1');
  suffix.copy(data, head.length);
  return data;
}

/** A delivery for an id minted or read by a broker; throws on an id that is not `<ms>-<seq>`. */
export function toDelivery(id: NotificationId, data: Buffer): Delivery {
  const parsed = parseNotificationId(id);
  if (!parsed) throw new Error(`malformed notification id ${JSON.stringify(id)}`);
  return { id, ms: parsed[0], seq: parsed[1], data };
}

const ID_START = Buffer.from('{"id":"');

/** Reads the id back from encoded notification data (what arrives over Pub/Sub), without parsing the JSON. */
export function deliveryFromData(data: Buffer): Delivery {
  const end = data.indexOf(0x22, ID_START.length);
  if (end < 0 || ID_START.compare(data, 0, ID_START.length) !== 0) throw new Error('message is not an encoded notification');
  return toDelivery(data.toString('latin1', ID_START.length, end), data);
}
