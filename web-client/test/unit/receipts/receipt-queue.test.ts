import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReceiptQueue, RECEIPT_QUEUE_LIMITS } from '../../../src/receipts/receipt-queue.js';

const id = (n: number): string => `${1_700_000_000_000 + n}-0`;
const ids = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => id(from + i));

function drain(queue: ReceiptQueue): unknown[] {
  const frames: unknown[] = [];
  for (let next = queue.next(); next !== undefined; next = queue.next()) {
    frames.push(next);
    queue.markSent(next);
  }
  return frames;
}

describe('ReceiptQueue', () => {
  it('hands out at most 100 ids a frame, delivered before read, in the order they were queued', () => {
    const queue = new ReceiptQueue();
    for (const each of ids(0, 250)) queue.addDelivered(each);
    queue.addRead(id(1000));
    assert.deepEqual(drain(queue), [{ delivered: ids(0, 100) }, { delivered: ids(100, 100) }, { delivered: ids(200, 50) }, { read: [id(1000)] }]);
    assert.equal(queue.size, 0);
  });

  it('read replaces a queued delivered of the same id, and an id confirmed read is never confirmed delivered', () => {
    const queue = new ReceiptQueue();
    assert.equal(queue.addDelivered(id(1)), true);
    assert.equal(queue.addRead(id(1)), 'queued');
    assert.equal(queue.addDelivered(id(1)), false);
    assert.deepEqual(drain(queue), [{ read: [id(1)] }]);
    assert.equal(queue.addDelivered(id(1)), false, 'read implies delivered');
    assert.equal(queue.size, 0);
  });

  it('never hands out an id twice: repeats while queued or after sending are refused', () => {
    const queue = new ReceiptQueue();
    queue.addDelivered(id(1));
    assert.equal(queue.addDelivered(id(1)), false);
    assert.equal(queue.addRead(id(2)), 'queued');
    assert.equal(queue.addRead(id(2)), 'pending');
    drain(queue);
    assert.equal(queue.addDelivered(id(1)), false);
    assert.equal(queue.addRead(id(2)), 'sent');
    assert.equal(queue.addRead(id(1)), 'queued', 'delivered, then read: both are news');
    assert.deepEqual(drain(queue), [{ read: [id(1)] }]);
  });

  it('what was not marked sent stays queued for the next try', () => {
    const queue = new ReceiptQueue();
    queue.addDelivered(id(1));
    assert.deepEqual(queue.next(), { delivered: [id(1)] });
    assert.deepEqual(queue.next(), { delivered: [id(1)] }, 'next() alone takes nothing out');
  });

  it('is bounded: beyond the limit the oldest delivered ids go first, then the oldest reads, and it says how many', () => {
    const queue = new ReceiptQueue();
    queue.addRead(id(0));
    for (const each of ids(1, RECEIPT_QUEUE_LIMITS.pending + 4)) queue.addDelivered(each);
    assert.equal(queue.size, RECEIPT_QUEUE_LIMITS.pending);
    assert.equal(queue.takeDropped(), 5);
    assert.equal(queue.takeDropped(), 0);
    assert.deepEqual(queue.next(), { delivered: ids(6, 100) }, 'the oldest delivered ids were dropped');
    for (const each of ids(5000, RECEIPT_QUEUE_LIMITS.pending)) queue.addRead(each);
    assert.equal(queue.size, RECEIPT_QUEUE_LIMITS.pending);
    const frames = drain(queue) as Array<{ read: string[] }>;
    assert.equal(frames.length, 10);
    assert.equal(frames[0]!.read[0], id(5000), 'every delivered and the oldest read made room');
  });
});
