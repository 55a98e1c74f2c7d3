import { deserializeFrame, Flags, FrameTypes, type Frame } from 'rsocket-core';

/** Why a WebSocket message is not an RSocket frame this server can read. */
export class MalformedFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedFrameError';
  }
}

/** A frame the spec says to drop unread: an unknown or EXT type, or a malformed one, sent with the IGNORE flag. */
export const IGNORABLE = Symbol('ignorable frame');

const HEADER_BYTES = 6;
const FLAGS_MASK = 0x3ff;
const UINT24_BYTES = 3;
/** Stream ids, REQUEST_N and SETUP's keepAlive/lifetime are 31-bit: the top bit is reserved, ignored on receipt. */
const U31 = 0x7fffffff;

/** The types this server reads as frames; anything else (RESERVED, EXT, unassigned) it does not understand. */
const READABLE: ReadonlySet<number> = new Set([
  FrameTypes.SETUP,
  FrameTypes.LEASE,
  FrameTypes.KEEPALIVE,
  FrameTypes.REQUEST_RESPONSE,
  FrameTypes.REQUEST_FNF,
  FrameTypes.REQUEST_STREAM,
  FrameTypes.REQUEST_CHANNEL,
  FrameTypes.REQUEST_N,
  FrameTypes.CANCEL,
  FrameTypes.PAYLOAD,
  FrameTypes.ERROR,
  FrameTypes.METADATA_PUSH,
  FrameTypes.RESUME,
  FrameTypes.RESUME_OK,
]);

/**
 * Decodes one RSocket frame from a binary WebSocket message (no length prefix), exactly as RSocket 1.0 reads it.
 * rsocket-core's codec does the decoding; this guards where it is not exact: it reports SETUP (and every
 * connection-level frame) on stream 0 whatever the header says, truncates a metadata length larger than the frame,
 * reads the reserved top bit of 31-bit fields as a sign, throws RangeErrors on truncated input and returns
 * `undefined` for EXT. Those become the real stream id, {@link MalformedFrameError}, masked values and
 * {@link IGNORABLE} here, so a bad message ends one connection and never the process.
 */
export function decodeFrame(message: Buffer): Frame | typeof IGNORABLE {
  if (message.length < HEADER_BYTES) {
    throw new MalformedFrameError(`a frame has at least ${HEADER_BYTES} bytes, got ${message.length}`);
  }
  const typeAndFlags = message.readUInt16BE(4);
  const type = typeAndFlags >>> 10;
  const flags = typeAndFlags & FLAGS_MASK;
  const ignorable = (flags & Flags.IGNORE) !== 0;
  if (!READABLE.has(type)) {
    if (ignorable) return IGNORABLE;
    throw new MalformedFrameError(`frame type 0x${type.toString(16)} is not understood here (send it with the IGNORE flag to have it skipped)`);
  }
  const streamId = message.readUInt32BE(0) & U31;
  const metadataProblem = checkMetadataLength(type, flags, message);
  if (metadataProblem !== undefined) {
    if (ignorable) return IGNORABLE;
    throw new MalformedFrameError(metadataProblem);
  }
  if (type === FrameTypes.METADATA_PUSH) {
    // rsocket-core 1.0.0-alpha.3's deserializeMetadataPushFrame reads an undefined `length` and always throws.
    return { type, streamId, flags, metadata: message.subarray(HEADER_BYTES) } as Frame;
  }
  let frame: Frame | undefined;
  try {
    frame = readWithRSocketCore(message);
  } catch {
    throw new MalformedFrameError(`truncated or malformed ${FrameTypes[type]} frame`);
  }
  if (frame === undefined) throw new MalformedFrameError(`unreadable ${FrameTypes[type]} frame`);
  return exact(frame, streamId, message);
}

/** rsocket-core's decoding: its declared type omits the `undefined` it returns for types it does not decode (EXT). */
function readWithRSocketCore(message: Buffer): Frame | undefined {
  return deserializeFrame(message);
}

/** rsocket-core's frame with the header's real stream id, 31-bit fields masked and the ERROR code unsigned. */
function exact(frame: Frame, streamId: number, message: Buffer): Frame {
  frame.streamId = streamId;
  switch (frame.type) {
    case FrameTypes.REQUEST_N:
    case FrameTypes.REQUEST_STREAM:
    case FrameTypes.REQUEST_CHANNEL:
      frame.requestN = message.readUInt32BE(HEADER_BYTES) & U31;
      break;
    case FrameTypes.SETUP:
      frame.keepAlive = message.readUInt32BE(HEADER_BYTES + 4) & U31;
      frame.lifetime = message.readUInt32BE(HEADER_BYTES + 8) & U31;
      break;
    case FrameTypes.ERROR:
      frame.code = message.readUInt32BE(HEADER_BYTES);
      break;
    default:
      break;
  }
  return frame;
}

/**
 * Why the metadata length of a frame that carries metadata and data does not fit the frame (the spec makes such a
 * frame invalid), or `undefined` when it fits or the frame has none.
 */
function checkMetadataLength(type: number, flags: number, message: Buffer): string | undefined {
  if ((flags & Flags.METADATA) === 0) return undefined;
  const offset = metadataOffset(type, flags, message);
  if (offset === undefined) return undefined;
  if (offset + UINT24_BYTES > message.length) return `truncated ${FrameTypes[type]} frame: no room for its metadata length`;
  const length = message.readUIntBE(offset, UINT24_BYTES);
  const room = message.length - offset - UINT24_BYTES;
  if (length > room) {
    return `metadata length ${length} exceeds the ${room} bytes left in the ${FrameTypes[type]} frame`;
  }
  return undefined;
}

/** Where the metadata length sits in frame types that carry metadata and data; `undefined` for the others. */
function metadataOffset(type: number, flags: number, message: Buffer): number | undefined {
  switch (type) {
    case FrameTypes.PAYLOAD:
    case FrameTypes.REQUEST_RESPONSE:
    case FrameTypes.REQUEST_FNF:
      return HEADER_BYTES;
    case FrameTypes.REQUEST_STREAM:
    case FrameTypes.REQUEST_CHANNEL:
      return HEADER_BYTES + 4;
    case FrameTypes.SETUP:
      return setupMetadataOffset(flags, message);
    default:
      return undefined;
  }
}

/** SETUP: versions, keepAlive, lifetime, the optional resume token, then two length-prefixed MIME types. */
function setupMetadataOffset(flags: number, message: Buffer): number {
  let offset = HEADER_BYTES + 12;
  const need = (bytes: number): void => {
    if (offset + bytes > message.length) throw new MalformedFrameError('truncated or malformed SETUP frame');
  };
  if ((flags & Flags.RESUME_ENABLE) !== 0) {
    need(2);
    offset += 2 + message.readUInt16BE(offset);
  }
  for (let mimeType = 0; mimeType < 2; mimeType += 1) {
    need(1);
    offset += 1 + message.readUInt8(offset);
  }
  need(0);
  return offset;
}
