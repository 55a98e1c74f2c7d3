import { deserializeFrame, Flags, FrameTypes, serializeFrame } from 'rsocket-core';
import WebSocket from 'ws';
import { routeMetadata, setupFrame } from '../../test/support/raw-rsocket.js';

/** The two systems the side-by-side bench compares. */
export type SystemName = 'product' | 'ceiling';

/** Lean clients: no compression offered, no UTF-8 validation of text frames (the load generator must not be the limit). */
const CLIENT_OPTIONS: WebSocket.ClientOptions = { perMessageDeflate: false, skipUTF8Validation: true };

/** Lifetime at the contract's upper bound: the raw clients send no KEEPALIVE, and a phase must outlive 90 s. */
const SETUP_OVERRIDES = { keepAlive: 20_000, lifetime: 300_000 };

/** The SETUP and REQUEST_STREAM a product client sends once open, serialized once. */
function productHandshake(userId: string): Buffer[] {
  return [
    serializeFrame(setupFrame(userId, SETUP_OVERRIDES)),
    serializeFrame({ type: FrameTypes.REQUEST_STREAM, streamId: 1, flags: Flags.METADATA, requestN: 0x7fffffff, data: null, metadata: routeMetadata('notifications') }),
  ];
}

/**
 * Opens one user's connection to `wsBase` (`ws://127.0.0.1:PORT`) and resolves once it is open and (product) the
 * SETUP and the notifications stream with maximum credit are sent. `onData` gets each notification's JSON bytes:
 * the data of each PAYLOAD frame (product, decoded with rsocket-core) or each text message (ceiling).
 * `onClose` is told when the socket closes.
 */
export function openClient(
  system: SystemName,
  wsBase: string,
  userId: string,
  onData?: (data: Buffer) => void,
  onClose?: (code: number) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const url = system === 'product' ? `${wsBase}/rsocket` : `${wsBase}/ws?user=${encodeURIComponent(userId)}`;
    const ws = new WebSocket(url, CLIENT_OPTIONS);
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      if (system === 'product') for (const frame of productHandshake(userId)) ws.send(frame);
      resolve(ws);
    });
    if (onClose !== undefined) ws.once('close', onClose);
    if (onData === undefined) return;
    if (system === 'product') {
      ws.on('message', (data: Buffer) => {
        const frame = deserializeFrame(data);
        if (frame.type === FrameTypes.PAYLOAD && frame.data) onData(frame.data);
      });
    } else {
      ws.on('message', (data: Buffer) => onData(data));
    }
  });
}
