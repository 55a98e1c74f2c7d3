import { RSOCKET_ERROR_CODES } from '@notification-transport/contract';
import { deserializeFrame, FrameTypes, type Frame } from 'rsocket-core';
import { describeMetadata, type MetadataRecord } from './frame-metadata.js';

/** One RSocket frame, decoded for a person reading the conversation next to DevTools' binary view. */
export interface FrameRecord {
  direction: 'in' | 'out';
  /** Clock time in ms when the frame passed the socket. */
  at: number;
  /** Size of the WebSocket message in bytes. */
  size: number;
  /** Frame type name (`SETUP`, `PAYLOAD`, ...), or `UNDECODABLE` / `TEXT` for messages that are no RSocket frame. */
  type: string;
  streamId?: number;
  /** Names of the flags set, per the frame type's meaning of each bit. */
  flags: string[];
  /** Type-specific header fields: keepAlive, lifetime, MIME types, requestN, error code. */
  fields?: Record<string, string | number>;
  metadata?: MetadataRecord;
  /** Data as JSON when it parses (a `token` field replaced by `***`), else as text. */
  data?: unknown;
  /** Why the message could not be decoded. */
  problem?: string;
}

const COMMON_FLAGS: ReadonlyArray<[number, string]> = [[0x200, 'IGNORE'], [0x100, 'METADATA']];
const TYPE_FLAGS: Partial<Record<number, ReadonlyArray<[number, string]>>> = {
  [FrameTypes.SETUP]: [[0x80, 'RESUME_ENABLE'], [0x40, 'LEASE']],
  [FrameTypes.KEEPALIVE]: [[0x80, 'RESPOND']],
  [FrameTypes.REQUEST_RESPONSE]: [[0x80, 'FOLLOWS']],
  [FrameTypes.REQUEST_FNF]: [[0x80, 'FOLLOWS']],
  [FrameTypes.REQUEST_STREAM]: [[0x80, 'FOLLOWS']],
  [FrameTypes.REQUEST_CHANNEL]: [[0x80, 'FOLLOWS'], [0x40, 'COMPLETE']],
  [FrameTypes.PAYLOAD]: [[0x80, 'FOLLOWS'], [0x40, 'COMPLETE'], [0x20, 'NEXT']],
};
const ERROR_NAMES = new Map<number, string>(Object.entries(RSOCKET_ERROR_CODES).map(([name, code]) => [code, name]));

// deserializeFrame accepts any type number; the enum's reverse mapping has names only for the defined ones.
const FRAME_TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(FrameTypes).flatMap(([name, value]) => (typeof value === 'number' ? [[value, name] as const] : [])),
);

function frameTypeName(type: number): string {
  return FRAME_TYPE_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

function flagNames(type: number, flags: number): string[] {
  return [...COMMON_FLAGS, ...(TYPE_FLAGS[type] ?? [])].filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

function describeData(data: Buffer): unknown {
  const text = data.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'token' in value) return { ...value, token: '***' };
    return value;
  } catch {
    return text;
  }
}

function headerFields(frame: Frame): Record<string, string | number> | undefined {
  switch (frame.type) {
    case FrameTypes.SETUP:
      return { keepAlive: frame.keepAlive, lifetime: frame.lifetime, dataMimeType: frame.dataMimeType, metadataMimeType: frame.metadataMimeType };
    case FrameTypes.REQUEST_STREAM:
    case FrameTypes.REQUEST_CHANNEL:
    case FrameTypes.REQUEST_N:
      return { requestN: frame.requestN };
    case FrameTypes.ERROR:
      return { code: ERROR_NAMES.get(frame.code) ?? `0x${frame.code.toString(16)}`, message: frame.message };
    default:
      return undefined;
  }
}

function toBuffer(message: unknown): Buffer | string | undefined {
  if (typeof message === 'string') return message;
  if (message instanceof ArrayBuffer) return Buffer.from(message);
  if (ArrayBuffer.isView(message)) return Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  return undefined;
}

function describeDecoded(record: FrameRecord, frame: Frame): FrameRecord {
  record.type = frameTypeName(frame.type);
  record.streamId = frame.streamId;
  record.flags = flagNames(frame.type, frame.flags);
  const fields = headerFields(frame);
  if (fields !== undefined) record.fields = fields;
  const { metadata, data } = frame as { metadata?: Buffer | null; data?: Buffer | null };
  if (metadata) record.metadata = describeMetadata(metadata);
  if (data && data.byteLength > 0) record.data = describeData(data);
  return record;
}

/** Decodes one WebSocket message of the RSocket conversation into a {@link FrameRecord}; never throws. */
export function describeFrame(message: unknown, direction: 'in' | 'out', at: number): FrameRecord {
  const bytes = toBuffer(message);
  const record: FrameRecord = { direction, at, size: 0, type: 'UNDECODABLE', flags: [] };
  if (bytes === undefined) return { ...record, problem: 'not a binary message' };
  if (typeof bytes === 'string') return { ...record, size: bytes.length, type: 'TEXT', data: bytes, problem: 'RSocket frames travel in binary messages' };
  record.size = bytes.byteLength;
  try {
    return describeDecoded(record, deserializeFrame(bytes));
  } catch (error) {
    return { ...record, problem: error instanceof Error ? error.message : String(error) };
  }
}

// The id of a notification in PAYLOAD data, shown on its own so QA can search the log for it.
function notificationId(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || !('id' in data)) return undefined;
  return typeof data.id === 'string' ? data.id : undefined;
}

/** One line per frame, e.g. `<- PAYLOAD stream=3 [NEXT] id=1700000000002-0 data={...}`. */
export function formatFrame(record: FrameRecord): string {
  const parts = [record.direction === 'out' ? '->' : '<-', record.type];
  if (record.streamId !== undefined) parts.push(`stream=${record.streamId}`);
  if (record.flags.length > 0) parts.push(`[${record.flags.join(',')}]`);
  for (const [name, value] of Object.entries(record.fields ?? {})) parts.push(`${name}=${String(value)}`);
  if (record.metadata?.routes) parts.push(`route=${record.metadata.routes.join(',')}`);
  if (record.metadata?.auth !== undefined) parts.push(`auth=${record.metadata.auth}`);
  if (record.metadata?.other) parts.push(`metadata=${record.metadata.other.join(',')}`);
  if (record.metadata?.undecodable !== undefined) parts.push(`metadata=(${record.metadata.undecodable})`);
  const id = notificationId(record.data);
  if (id !== undefined) parts.push(`id=${id}`);
  if (record.data !== undefined) parts.push(`data=${typeof record.data === 'string' ? record.data : JSON.stringify(record.data)}`);
  if (record.problem !== undefined) parts.push(`(${record.problem})`);
  return parts.join(' ');
}
