import { compareIdParts } from '@notification-transport/contract';
import type { Delivery, Replay } from '../broker/broker.js';
import type { StreamEnding } from './endings.js';
import { encodePayloadFrame } from './frame-encoder.js';

/** The largest credit total: REQUEST_N credits add up and saturate here (RSocket spec). */
export const MAX_CREDITS = 0x7fffffff;

/** What a stream needs from its connection. */
export interface StreamOwner {
  /** Writes an encoded frame through the connection's one way out. */
  write(frame: Buffer): void;
  /** Writes the ERROR that ends stream `streamId` with `ending`. */
  writeStreamEnding(streamId: number, ending: StreamEnding, detail: string): void;
  /** Called for every PAYLOAD written. */
  delivered(): void;
  /** Notifications waiting (for credit or for recovery) changed by `delta`; may end the connection as a slow consumer. */
  waitingChanged(delta: number): void;
  /** The stream ended (cancelled, errored or the connection closed). */
  streamEnded(stream: NotificationStream): void;
}

/**
 * One `notifications` REQUEST_STREAM. PAYLOADs are written only against REQUEST_N credit; what waits for credit is
 * queued in order and counted against the connection's bound by the owner. Ids only go forward: a delivery at or
 * before the last one accepted is a duplicate and is dropped. During recovery, live deliveries are held until the
 * history replay is in, then merged after it — no gap, no duplicate.
 */
export class NotificationStream {
  private credits: number;
  /** What waits for credit, from `head` on; none until something waits (most streams never wait). */
  private queue: Buffer[] | undefined;
  private head = 0;
  private ended = false;
  private lastMs = -1;
  private lastSeq = -1;
  private held: Delivery[] | undefined;

  constructor(
    readonly streamId: number,
    initialCredits: number,
    private readonly owner: StreamOwner,
  ) {
    this.credits = Math.min(initialCredits, MAX_CREDITS);
  }

  /** Notifications waiting for credit. */
  get pending(): number {
    return this.queue === undefined ? 0 : this.queue.length - this.head;
  }

  /** Offers a live notification: held during recovery, dropped if not newer than the last, else sent or queued. */
  push(delivery: Delivery): void {
    if (this.ended) return;
    if (this.held) {
      this.held.push(delivery);
      this.owner.waitingChanged(1);
      return;
    }
    this.accept(delivery);
  }

  /** Sends a control message (no id, never deduplicated) like any notification. */
  pushControl(data: Buffer): void {
    if (!this.ended) this.enqueue(data);
  }

  /** Starts recovery after (ms, seq): live deliveries are held from now on, and nothing at or before it is sent. */
  beginRecovery(afterMs: number, afterSeq: number): void {
    this.lastMs = afterMs;
    this.lastSeq = afterSeq;
    this.held = [];
  }

  /** Ends recovery: the control message (if any), then the replayed history, then what arrived live meanwhile. */
  endRecovery(replay: Replay, incomplete: Buffer | undefined): void {
    const held = this.held ?? [];
    this.held = undefined;
    if (this.ended) return;
    if (held.length > 0) this.owner.waitingChanged(-held.length);
    const { newest } = replay;
    if (newest && compareIdParts(newest.ms, newest.seq, this.lastMs, this.lastSeq) < 0) {
      // The client's lastEventId lies beyond anything ever committed for it: go by what really exists, or every
      // real notification up to that id would be dropped as a duplicate.
      this.lastMs = newest.ms;
      this.lastSeq = newest.seq;
    }
    if (!replay.complete && incomplete) this.pushControl(incomplete);
    for (const delivery of replay.deliveries) this.accept(delivery);
    for (const delivery of held) this.accept(delivery);
  }

  /** Adds REQUEST_N credit and sends what was waiting for it, in order. */
  request(n: number): void {
    if (this.ended) return;
    this.credits = Math.min(this.credits + n, MAX_CREDITS);
    const { queue } = this;
    if (queue === undefined) return;
    const before = this.pending;
    let taken = 0;
    while (this.credits > 0 && this.head < queue.length) {
      const data = queue[this.head] as Buffer;
      queue[this.head++] = EMPTY;
      taken += 1;
      this.send(data);
      // A write past the connection's budget ends it, and this stream with it: end() settled what was still queued,
      // the ones this flush took are settled here.
      if (this.hasEnded()) return this.owner.waitingChanged(-taken);
    }
    if (this.head === queue.length) {
      this.queue = undefined;
      this.head = 0;
    }
    if (before !== this.pending) this.owner.waitingChanged(this.pending - before);
  }

  /** Whether the stream ended (a method: a write may end it while a flush runs, which field narrowing cannot see). */
  hasEnded(): boolean {
    return this.ended;
  }

  /** Ends the stream without a frame (CANCEL from the client, or the connection closed). */
  cancel(): void {
    this.end();
  }

  /** Ends the stream with the ending's ERROR frame on it. */
  fail(ending: StreamEnding, detail: string): void {
    if (this.ended) return;
    this.owner.writeStreamEnding(this.streamId, ending, detail);
    this.end();
  }

  private accept(delivery: Delivery): void {
    if (compareIdParts(delivery.ms, delivery.seq, this.lastMs, this.lastSeq) <= 0) return;
    this.lastMs = delivery.ms;
    this.lastSeq = delivery.seq;
    this.enqueue(delivery.data);
  }

  private enqueue(data: Buffer): void {
    if (this.ended) return;
    if (this.credits > 0 && this.pending === 0) return this.send(data);
    if (this.queue === undefined) this.queue = [data];
    else this.queue.push(data);
    this.owner.waitingChanged(1);
  }

  private send(data: Buffer): void {
    this.credits -= 1;
    this.owner.write(encodePayloadFrame(this.streamId, data));
    this.owner.delivered();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    const dropped = this.pending + (this.held?.length ?? 0);
    this.queue = undefined;
    this.head = 0;
    this.held = undefined;
    if (dropped > 0) this.owner.waitingChanged(-dropped);
    this.owner.streamEnded(this);
  }
}

const EMPTY = Buffer.alloc(0);
