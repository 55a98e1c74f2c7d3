import type { Frame } from 'rsocket-core';
import type { RawData } from 'ws';
import { RSocketEndError } from '../errors/transport-error.js';
import { decodeFrame, IGNORABLE, MalformedFrameError } from './frame-decoder.js';

/** The sizes a client's frames must keep to. */
export interface InboundLimits {
  /** Largest WebSocket message (one frame); larger ends the connection with `[too-large]`. */
  maxFrameBytes: number;
  /** Largest metadata + data of one frame; more ends the connection with `[too-large]`. */
  maxDataBytes: number;
}

/**
 * One WebSocket message as a frame: binary, within the size limits, and decodable; throws `RSocketEndError`
 * (`too-large`) or {@link MalformedFrameError} otherwise.
 */
export function readInboundFrame(data: RawData, isBinary: boolean, limits: InboundLimits): Frame | typeof IGNORABLE {
  if (!isBinary) throw new MalformedFrameError('text messages are not RSocket frames; send binary messages');
  const message = toBuffer(data);
  if (message.length > limits.maxFrameBytes) {
    throw new RSocketEndError('too-large', `a frame of ${message.length} bytes exceeds the limit of ${limits.maxFrameBytes} (MAX_FRAME_BYTES)`);
  }
  const frame = decodeFrame(message);
  if (frame === IGNORABLE) return frame;
  const carried = frameDataBytes(frame);
  if (carried > limits.maxDataBytes) {
    throw new RSocketEndError('too-large', `metadata and data of ${carried} bytes exceed the limit of ${limits.maxDataBytes} (MAX_DATA_BYTES)`);
  }
  return frame;
}

/** Metadata plus data bytes a frame carries (0 for frames without them). */
export function frameDataBytes(frame: Frame): number {
  const { data, metadata } = frame as { data?: Buffer | null; metadata?: Buffer | null };
  return (data?.length ?? 0) + (metadata?.length ?? 0);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
