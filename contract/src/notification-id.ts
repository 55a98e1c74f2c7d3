/**
 * Notification ids are `<milliseconds>-<sequence>` (the shape of Redis Stream entry ids): unique per user and
 * increasing in the order notifications were accepted for that user. Compare them with {@link compareNotificationIds},
 * never as strings ("10-0" sorts before "9-0").
 */
export type NotificationId = string;

const ID_PATTERN = /^(\d{1,15})-(\d{1,15})$/;

/** The id's two numeric parts, or `undefined` when `value` is not a well-formed id. */
export function parseNotificationId(value: string): [number, number] | undefined {
  const match = ID_PATTERN.exec(value);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2])];
}

/** Negative when `a` was accepted before `b`, zero when equal, positive after. Both must be well-formed. */
export function compareNotificationIds(a: NotificationId, b: NotificationId): number {
  const [aMs, aSeq] = parseNotificationId(a) ?? [Number.NaN, Number.NaN];
  const [bMs, bSeq] = parseNotificationId(b) ?? [Number.NaN, Number.NaN];
  return compareIdParts(aMs, aSeq, bMs, bSeq);
}

/** The same order on ids already parsed into their parts (the delivery hot path compares numbers, not strings). */
export function compareIdParts(aMs: number, aSeq: number, bMs: number, bSeq: number): number {
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}
