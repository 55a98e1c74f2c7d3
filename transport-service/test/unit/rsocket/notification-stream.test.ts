import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Delivery } from '../../../src/broker/broker.js';
import type { StreamEnding } from '../../../src/rsocket/endings.js';
import { MAX_CREDITS, NotificationStream, type StreamOwner } from '../../../src/rsocket/notification-stream.js';

/** Records what the stream writes; the frames' data is what follows the 6-byte header. */
class RecordingOwner implements StreamOwner {
  readonly written: string[] = [];
  readonly errors: Array<[number, string, string]> = [];
  pending = 0;
  ended = 0;
  write(frame: Buffer): void {
    this.written.push(frame.subarray(6).toString());
  }
  writeStreamEnding(streamId: number, ending: StreamEnding, detail: string): void {
    this.errors.push([streamId, ending, detail]);
  }
  delivered(): void {}
  waitingChanged(delta: number): void {
    this.pending += delta;
  }
  streamEnded(): void {
    this.ended += 1;
  }
}

/** The i-th notification: id `<i+1>-0`, data its number. */
const data = (i: number): Delivery => ({ id: `${i + 1}-0`, ms: i + 1, seq: 0, data: Buffer.from(String(i)) });

describe('NotificationStream', () => {
  it('writes only against credit and queues the rest in order', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, 2, owner);
    for (let i = 0; i < 5; i += 1) stream.push(data(i));
    assert.deepEqual(owner.written, ['0', '1']);
    assert.equal(stream.pending, 3);
    assert.equal(owner.pending, 3);
    stream.request(1);
    assert.deepEqual(owner.written, ['0', '1', '2']);
    assert.equal(owner.pending, 2);
    stream.request(10);
    assert.deepEqual(owner.written, ['0', '1', '2', '3', '4']);
    assert.equal(owner.pending, 0);
    stream.push(data(5));
    assert.deepEqual(owner.written.at(-1), '5', 'leftover credit is used at once');
  });

  it('keeps order when credit arrives while items wait', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, 0, owner);
    stream.push(data(0));
    stream.push(data(1));
    stream.request(1);
    stream.push(data(2));
    stream.request(5);
    assert.deepEqual(owner.written, ['0', '1', '2']);
  });

  it('saturates credit at 2^31-1', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, MAX_CREDITS, owner);
    stream.request(MAX_CREDITS);
    stream.request(MAX_CREDITS);
    for (let i = 0; i < 3; i += 1) stream.push(data(i));
    assert.equal(owner.written.length, 3);
  });

  it('cancel drops what waits, gives back the pending count, and ends once', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(3, 0, owner);
    stream.push(data(0));
    stream.push(data(1));
    stream.cancel();
    stream.cancel();
    assert.equal(owner.pending, 0);
    assert.equal(owner.ended, 1);
    stream.push(data(2));
    stream.request(5);
    assert.deepEqual(owner.written, []);
  });

  it('drops a delivery at or before the last one (duplicates from replay and live)', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, 100, owner);
    for (const i of [0, 1, 1, 0, 2]) stream.push(data(i));
    assert.deepEqual(owner.written, ['0', '1', '2']);
  });

  it('recovery holds live deliveries, then sends the marker, the history and the held ones without duplicates', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, 100, owner);
    stream.beginRecovery(2, 0);
    stream.push(data(3));
    stream.push(data(4));
    assert.deepEqual(owner.written, [], 'nothing before the history is in');
    assert.equal(owner.pending, 2, 'held deliveries count against the connection bound');
    stream.endRecovery({ complete: false, deliveries: [data(1), data(2), data(3)] }, Buffer.from('incomplete'));
    assert.deepEqual(owner.written, ['incomplete', '2', '3', '4']);
    assert.equal(owner.pending, 0);
  });

  it('a lastEventId beyond the newest real id does not hide real notifications', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, 100, owner);
    stream.beginRecovery(99_999, 0);
    stream.endRecovery({ complete: true, deliveries: [], newest: { ms: 2, seq: 0 } }, Buffer.from('incomplete'));
    stream.push(data(2));
    assert.deepEqual(owner.written, ['2']);
  });

  it('a complete recovery sends no marker', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, 100, owner);
    stream.beginRecovery(1, 0);
    stream.endRecovery({ complete: true, deliveries: [data(1)] }, Buffer.from('incomplete'));
    assert.deepEqual(owner.written, ['1']);
  });

  it('fail writes one ERROR on its stream and ends', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(7, 1, owner);
    stream.fail('stream-draining', 'bye');
    stream.fail('stream-draining', 'again');
    assert.deepEqual(owner.errors, [[7, 'stream-draining', 'bye']]);
    assert.equal(owner.ended, 1);
  });

  it('a write that ends the connection mid-flush counts what waited once, and nothing more is sent', () => {
    const owner = new RecordingOwner();
    const stream = new NotificationStream(1, 0, owner);
    for (let i = 0; i < 4; i += 1) stream.push(data(i));
    assert.equal(owner.pending, 4);
    const write = owner.write.bind(owner);
    owner.write = (frame: Buffer): void => {
      write(frame);
      if (owner.written.length === 2) stream.cancel();
    };
    stream.request(10);
    assert.deepEqual(owner.written, ['0', '1']);
    assert.equal(owner.pending, 0, 'settled once by the ending, not again by the flush');
    stream.endRecovery({ complete: false, deliveries: [data(9)] }, Buffer.from('incomplete'));
    assert.deepEqual(owner.written, ['0', '1'], 'an ended stream sends nothing more');
  });
});
