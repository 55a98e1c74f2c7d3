import type { Socket } from 'node:net';
import { ROUTES } from '@notification-transport/contract';
import { Flags, FrameTypes, serializeFrame } from 'rsocket-core';
import { RawRSocket, routeMetadata } from './raw-rsocket.js';
import { waitFor } from './wait-for.js';

/** Makes the next frame of a flood; `streamId` is a fresh odd stream id for frames that need one. */
export type FrameMaker = (streamId: number) => Buffer;

/**
 * An accepted connection that stops reading (its TCP socket paused, so the server's writes pile up) and then sends
 * frames at a steady rate: the attacker the outbound budget must stop.
 */
export class StalledClient {
  private nextStreamId = 1;
  private socketGone = false;

  private constructor(readonly raw: RawRSocket) {
    raw.ws.on('close', () => (this.socketGone = true));
    raw.ws.on('error', () => (this.socketGone = true));
  }

  /** Connects as `userId` (development identity) and waits until the SETUP was accepted (the `session` answer). */
  static async open(wsUrl: string, userId: string): Promise<StalledClient> {
    const raw = await RawRSocket.open(wsUrl);
    raw.setup(userId);
    raw.send({ type: FrameTypes.REQUEST_RESPONSE, streamId: 1, flags: Flags.METADATA, data: null, metadata: routeMetadata(ROUTES.session) });
    await waitFor(() => raw.ofType(FrameTypes.PAYLOAD).length > 0, `the session answer for ${userId}`);
    const client = new StalledClient(raw);
    client.nextStreamId = 3;
    return client;
  }

  /** Stops reading from the socket: from now on everything the server writes waits in its buffers. */
  stopReading(): void {
    (this.raw.ws as unknown as { _socket: Socket })._socket.pause();
  }

  /**
   * Sends `perTick` frames every `tickMs` until `done()` holds, the socket is gone, or `maxMs` passed; resolves with
   * the count sent.
   */
  async flood(make: FrameMaker, perTick: number, tickMs: number, maxMs: number, done: () => boolean = () => false): Promise<number> {
    let sent = 0;
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && !this.socketGone && !done()) {
      for (let i = 0; i < perTick && !this.socketGone; i += 1) {
        this.raw.ws.send(make(this.nextStreamId), { binary: true });
        this.nextStreamId += 2;
        sent += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    return sent;
  }
}

/** KEEPALIVE with the respond flag and `bytes` of data: the server must echo each one. */
export function keepAliveMaker(bytes: number): FrameMaker {
  const frame = serializeFrame({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.RESPOND, lastReceivedPosition: 0, data: Buffer.alloc(bytes, 0x6b) });
  return () => frame;
}

/** REQUEST_RESPONSE on the `session` route: the server answers each one. */
export function sessionRequestMaker(): FrameMaker {
  const metadata = routeMetadata(ROUTES.session);
  return (streamId) => serializeFrame({ type: FrameTypes.REQUEST_RESPONSE, streamId, flags: Flags.METADATA, data: null, metadata });
}

/** REQUEST_RESPONSE on an unknown, long route: the server answers each one with a stream ERROR naming it. */
export function unknownRouteMaker(): FrameMaker {
  const metadata = routeMetadata('r'.repeat(250));
  return (streamId) => serializeFrame({ type: FrameTypes.REQUEST_RESPONSE, streamId, flags: Flags.METADATA, data: null, metadata });
}
