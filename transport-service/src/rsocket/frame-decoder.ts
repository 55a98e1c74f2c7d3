import { deserializeFrame, Flags, FrameTypes, type Frame } from 'rsocket-core';

/** Why a WebSocket message is not an RSocket frame this server can read. */
export class MalformedFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedFrameError';
  }
}

/** A frame of a type this server does not know, sent with the IGNORE flag: the spec says to drop it. */
export const IGNORABLE = Symbol('ignorable frame');

const HEADER_BYTES = 6;
const FLAGS_MASK = 0x3ff;
const KNOWN_TYPES: ReadonlySet<number> = new Set(
  Object.values(FrameTypes).filter((value): value is number => typeof value === 'number'),
);

/**
 * Decodes one RSocket frame from a binary WebSocket message (no length prefix). rsocket-core's decoder throws
 * RangeErrors on truncated input and returns `undefined` for unknown types; both become {@link MalformedFrameError}
 * here, so a bad message can end one connection and never the process.
 */
export function decodeFrame(message: Buffer): Frame | typeof IGNORABLE {
  if (message.length < HEADER_BYTES) {
    throw new MalformedFrameError(`a frame has at least ${HEADER_BYTES} bytes, got ${message.length}`);
  }
  const typeAndFlags = message.readUInt16BE(4);
  const type: number = typeAndFlags >>> 10;
  if (!KNOWN_TYPES.has(type) || type === FrameTypes.RESERVED) {
    if ((typeAndFlags & Flags.IGNORE) !== 0) return IGNORABLE;
    throw new MalformedFrameError(`unknown frame type 0x${type.toString(16)}`);
  }
  const streamId = message.readInt32BE(0);
  if (streamId < 0) throw new MalformedFrameError('stream id must not be negative');
  if (type === FrameTypes.METADATA_PUSH) {
    // rsocket-core 1.0.0-alpha.3's deserializeMetadataPushFrame reads an undefined `length` and always throws.
    return { type, streamId, flags: typeAndFlags & FLAGS_MASK, metadata: message.subarray(HEADER_BYTES) } as Frame;
  }
  try {
    const frame = deserializeFrame(message) as Frame | undefined;
    if (frame === undefined) throw new MalformedFrameError(`unreadable frame of type ${FrameTypes[type]}`);
    return frame;
  } catch (error) {
    if (error instanceof MalformedFrameError) throw error;
    throw new MalformedFrameError(`truncated or malformed ${FrameTypes[type]} frame`);
  }
}
