import { Flags, FrameTypes, serializeFrame } from 'rsocket-core';

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

/** An ERROR frame on `streamId` (0: the connection) with `message` as its UTF-8 data. */
export function encodeErrorFrame(streamId: number, code: number, message: string): Buffer {
  return serializeFrame({ type: FrameTypes.ERROR, streamId, flags: Flags.NONE, code, message });
}

/** The answer to a KEEPALIVE with the respond flag: the same data echoed, without the flag. */
export function encodeKeepAliveFrame(data: Buffer | null | undefined): Buffer {
  return serializeFrame({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.NONE, lastReceivedPosition: 0, data: data ?? null });
}
