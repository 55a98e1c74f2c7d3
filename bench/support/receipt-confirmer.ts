import { Flags, FrameTypes, serializeFrame } from 'rsocket-core';
import type WebSocket from 'ws';
import { routeMetadata } from '../../test/support/raw-rsocket.js';

/** The contract's upper bound of ids in one confirmation frame. */
const MAX_IDS = 100;
const ROUTE = routeMetadata('receipt');
/** A notification that asked for a receipt carries this field in its JSON (serialized without spaces). */
const ASKED = '"receipt":true';
/** The notification's own id: the first `"id"` key of its JSON (the bench payload has none). */
const ID = /"id":"([^"]+)"/;

/** Confirmations the bench's product clients sent so far, over every client of this process. */
export const confirmations = { frames: 0, ids: 0 };

/**
 * What the browser client does with a notification that asked for a receipt, for one raw bench client: collects its
 * id and confirms `delivered` with one REQUEST_FNF on route `receipt` per event-loop turn (at most 100 ids a frame).
 * A user gets a notification now and then, so in practice each confirmation carries one id: the costly case.
 */
export class ReceiptConfirmer {
  private pending: string[] = [];
  private scheduled = false;
  /** Client-initiated streams are odd; 1 is the notifications stream. */
  private nextStreamId = 3;

  constructor(private readonly ws: WebSocket) {}

  /** Takes one notification's JSON; confirms it (batched) when it asked for a receipt. */
  notice(data: Buffer): void {
    const text = data.toString('latin1');
    if (!text.includes(ASKED)) return;
    const id = ID.exec(text)?.[1];
    if (id === undefined) return;
    this.pending.push(id);
    if (this.pending.length >= MAX_IDS) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const ids = this.pending;
    this.pending = [];
    const streamId = this.nextStreamId;
    this.nextStreamId += 2;
    const data = Buffer.from(JSON.stringify({ delivered: ids }));
    this.ws.send(serializeFrame({ type: FrameTypes.REQUEST_FNF, streamId, flags: Flags.METADATA, data, metadata: ROUTE }));
    confirmations.frames += 1;
    confirmations.ids += ids.length;
  }
}
