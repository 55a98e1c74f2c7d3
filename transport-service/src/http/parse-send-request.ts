import { CONTROL_TYPE_PREFIX, SEND_LIMITS, typeProblem, userIdProblem } from '@notification-transport/contract';
import { InvalidBodyError } from '../errors/transport-error.js';
import type { SendRequest } from '../notifications/send-request.js';

const FIELDS: ReadonlySet<string> = new Set(['userId', 'userIds', 'type', 'payload', 'ttlSeconds', 'receipt']);
/** How many unknown field names an error message lists before summarizing the rest. */
const MAX_NAMED_UNKNOWN = 5;

/**
 * Validates a parsed `POST /api/v1/notifications` body against the contract; throws {@link InvalidBodyError}
 * naming the offending field. A field that is present counts as given, whatever its value (`null` included).
 */
export function parseSendRequest(body: unknown): SendRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidBodyError(`body must be a JSON object, got ${describe(body)}`);
  }
  const fields = body as Record<string, unknown>;
  rejectUnknownFields(fields);
  const request: SendRequest = {
    userIds: parseRecipients(fields),
    type: parseType(fields.type),
    payloadJson: serializePayload(fields),
    ttlSeconds: parseTtl(fields.ttlSeconds),
  };
  if (parseReceipt(fields.receipt)) request.receipt = true;
  return request;
}

function rejectUnknownFields(fields: Record<string, unknown>): void {
  // The usual body has only known fields: checked without building the list of its names.
  let known = true;
  for (const name in fields) known &&= FIELDS.has(name);
  if (known) return;
  const unknown = Object.keys(fields).filter((name) => !FIELDS.has(name));
  if (unknown.length === 0) return;
  const named = unknown.slice(0, MAX_NAMED_UNKNOWN).map((name) => JSON.stringify(name)).join(', ');
  const more = unknown.length > MAX_NAMED_UNKNOWN ? ` and ${unknown.length - MAX_NAMED_UNKNOWN} more` : '';
  const noun = unknown.length === 1 ? 'field' : 'fields';
  throw new InvalidBodyError(`unknown ${noun} ${named}${more}; allowed: ${[...FIELDS].join(', ')}`);
}

function parseRecipients(fields: Record<string, unknown>): string[] {
  const hasOne = Object.hasOwn(fields, 'userId');
  const hasMany = Object.hasOwn(fields, 'userIds');
  if (hasOne && hasMany) throw new InvalidBodyError('userId and userIds must not both be given; send exactly one');
  if (hasOne) return [parseUserId('userId', fields.userId)];
  if (hasMany) return parseUserIds(fields.userIds);
  throw new InvalidBodyError('userId or userIds is required');
}

function parseUserIds(value: unknown): string[] {
  const { maxUserIds } = SEND_LIMITS;
  if (!Array.isArray(value)) throw new InvalidBodyError(`userIds must be an array of user ids, got ${describe(value)}`);
  if (value.length === 0 || value.length > maxUserIds) {
    throw new InvalidBodyError(`userIds must hold 1 to ${maxUserIds} user ids, got ${value.length}`);
  }
  const distinct = new Set<string>();
  value.forEach((item: unknown, index) => distinct.add(parseUserId(`userIds[${index}]`, item)));
  return [...distinct];
}

function parseUserId(field: string, value: unknown): string {
  const problem = userIdProblem(value);
  if (problem !== undefined) throw new InvalidBodyError(`${field} ${problem}`);
  return value as string;
}

function parseType(value: unknown): string {
  if (typeof value === 'string' && value.startsWith(CONTROL_TYPE_PREFIX)) {
    throw new InvalidBodyError(`type must not start with "${CONTROL_TYPE_PREFIX}" (reserved for control messages)`);
  }
  const problem = value === undefined ? 'is required' : typeProblem(value);
  if (problem !== undefined) throw new InvalidBodyError(`type ${problem}`);
  return value as string;
}

function serializePayload(fields: Record<string, unknown>): string {
  if (fields.payload === undefined) throw new InvalidBodyError('payload is required (any JSON value, null included)');
  try {
    return JSON.stringify(fields.payload);
  } catch {
    // JSON.parse accepts nesting deeper than JSON.stringify can walk (RangeError): bad input, never a 500.
    throw new InvalidBodyError('payload is nested too deeply; flatten it');
  }
}

function parseTtl(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const { maxTtlSeconds } = SEND_LIMITS;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= maxTtlSeconds) return value;
  throw new InvalidBodyError(`ttlSeconds must be an integer from 0 to ${maxTtlSeconds}, got ${describe(value)}`);
}

function parseReceipt(value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true;
  throw new InvalidBodyError(`receipt must be true or false, got ${describe(value)}`);
}

/** A short description of a JSON value for error messages: numbers and booleans verbatim, otherwise the kind. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
