import {
  CONTROL_TYPE_PREFIX,
  parseNotificationId,
  typeProblem,
  type Notification,
} from '@notification-transport/contract';

/** A control message on the stream (type starting with `$`), e.g. `$recovery.incomplete`. */
export interface ControlMessage {
  id: null;
  type: string;
  payload: unknown;
  createdAt: string;
}

/** What one PAYLOAD of the notifications stream turned out to be. */
export type StreamMessage =
  | { kind: 'notification'; notification: Notification }
  | { kind: 'control'; control: ControlMessage }
  | { kind: 'invalid'; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeProblem(value: Record<string, unknown>): string | undefined {
  const badType = typeProblem(typeof value.type === 'string' ? value.type.replace(/^\$/, '') : value.type);
  if (badType !== undefined) return `"type" ${badType}`;
  if (!('payload' in value)) return '"payload" is missing';
  if (typeof value.createdAt !== 'string') return '"createdAt" must be an ISO-8601 string';
  return undefined;
}

/** Parses the UTF-8 JSON data of one PAYLOAD into a notification or control message; never throws. */
export function parseStreamMessage(text: string): StreamMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', problem: `data is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isRecord(value)) return { kind: 'invalid', problem: 'data is not a JSON object' };
  const problem = shapeProblem(value);
  if (problem !== undefined) return { kind: 'invalid', problem };
  const { id, type, payload, createdAt } = value as { id: unknown; type: string; payload: unknown; createdAt: string };
  if (type.startsWith(CONTROL_TYPE_PREFIX)) {
    return id === null ? { kind: 'control', control: { id, type, payload, createdAt } } : { kind: 'invalid', problem: 'a control message must have "id": null' };
  }
  if (typeof id !== 'string' || parseNotificationId(id) === undefined) {
    return { kind: 'invalid', problem: '"id" must be a notification id like "1700000000000-0"' };
  }
  const notification: Notification = { id, type, payload, createdAt };
  if (value.receipt === true) notification.receipt = true;
  return { kind: 'notification', notification };
}
