import type { Socket } from 'node:net';
import { deserializeFrame, Flags, FrameTypes, serializeFrame } from 'rsocket-core';
import WebSocket from 'ws';
import { routeMetadata, setupFrame } from '../../test/support/raw-rsocket.js';
import { ReceiptConfirmer } from './receipt-confirmer.js';

/**
 * The systems the side-by-side bench compares: this product, the product with a delivery receipt asked for on every
 * notification and confirmed by every client (`product+receipts`), and the two ceilings of bench/ceiling/ (`plain`:
 * one PUBLISH per notification; `durable`: one EVALSHA that also appends to a per-user history stream), which have
 * no receipts.
 */
export type SystemName = 'product' | 'product+receipts' | 'plain' | 'durable';
export const SYSTEM_NAMES: readonly SystemName[] = ['product', 'product+receipts', 'plain', 'durable'];

/** Whether `system` runs this product's instances (with or without receipts). */
export function isProduct(system: SystemName): boolean {
  return system === 'product' || system === 'product+receipts';
}

/** Lean clients: no compression offered, no UTF-8 validation of text frames (the load generator must not be the limit). */
const CLIENT_OPTIONS: WebSocket.ClientOptions = { perMessageDeflate: false, skipUTF8Validation: true };

/** Lifetime at the contract's upper bound: the raw clients send no KEEPALIVE, and a phase must outlive 90 s. */
const SETUP_OVERRIDES = { keepAlive: 20_000, lifetime: 300_000 };

/** The TCP socket under each open client, to read the bytes it received. */
const tcpSockets = new WeakMap<WebSocket, Socket>();

/** Bytes the client's TCP socket has received so far (WebSocket framing, RSocket frames and the upgrade answer). */
export function bytesReceived(ws: WebSocket): number {
  return tcpSockets.get(ws)?.bytesRead ?? 0;
}

/** The SETUP and REQUEST_STREAM a product client sends once open, serialized once. */
function productHandshake(userId: string): Buffer[] {
  return [
    serializeFrame(setupFrame(userId, SETUP_OVERRIDES)),
    serializeFrame({ type: FrameTypes.REQUEST_STREAM, streamId: 1, flags: Flags.METADATA, requestN: 0x7fffffff, data: null, metadata: routeMetadata('notifications') }),
  ];
}

/**
 * What a product client does with each PAYLOAD frame on its notifications stream: hands the notification's JSON to
 * `onData`, then (with a confirmer) confirms it as delivered like the browser client does once its page has it.
 */
function onProductPayload(confirmer: ReceiptConfirmer | undefined, data: Buffer, onData: (data: Buffer) => void): void {
  onData(data);
  confirmer?.notice(data);
}

/**
 * Opens one user's connection to `wsBase` (`ws://127.0.0.1:PORT`) and resolves once it is open and (product) the
 * SETUP and the notifications stream with maximum credit are sent. `onData` gets each notification's JSON bytes:
 * the data of each PAYLOAD frame (product, decoded with rsocket-core) or each text message (ceilings); a
 * `product+receipts` client also confirms each notification that asked for a receipt. `onClose` is told when the
 * socket closes.
 */
export function openClient(
  system: SystemName,
  wsBase: string,
  userId: string,
  onData?: (data: Buffer) => void,
  onClose?: (code: number) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const url = isProduct(system) ? `${wsBase}/rsocket` : `${wsBase}/ws?user=${encodeURIComponent(userId)}`;
    const ws = new WebSocket(url, CLIENT_OPTIONS);
    ws.once('upgrade', (response) => tcpSockets.set(ws, response.socket));
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      if (isProduct(system)) for (const frame of productHandshake(userId)) ws.send(frame);
      resolve(ws);
    });
    if (onClose !== undefined) ws.once('close', onClose);
    if (onData === undefined) return;
    if (isProduct(system)) {
      const confirmer = system === 'product+receipts' ? new ReceiptConfirmer(ws) : undefined;
      ws.on('message', (data: Buffer) => {
        const frame = deserializeFrame(data);
        if (frame.type === FrameTypes.PAYLOAD && frame.data) onProductPayload(confirmer, frame.data, onData);
      });
    } else {
      ws.on('message', (data: Buffer) => onData(data));
    }
  });
}
