import { Flags, FrameTypes } from 'rsocket-core';

const HEADER_BYTES = 6;
const NEXT_HEADER = (FrameTypes.PAYLOAD << 10) | Flags.NEXT;
const NEXT_COMPLETE_HEADER = NEXT_HEADER | Flags.COMPLETE;

/**
 * The hot path's one encoding step: a PAYLOAD frame (NEXT, no metadata) around data that was encoded once per
 * notification. Equivalent to rsocket-core's `serializeFrame` for this shape, with one allocation and one copy.
 */
export function encodePayloadFrame(streamId: number, data: Buffer, complete = false): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + data.length);
  frame.writeUInt32BE(streamId, 0);
  frame.writeUInt16BE(complete ? NEXT_COMPLETE_HEADER : NEXT_HEADER, 4);
  data.copy(frame, HEADER_BYTES);
  return frame;
}
