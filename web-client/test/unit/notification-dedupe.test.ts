import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Notification } from '@notification-transport/contract';
import type { ClientEvent } from '../../src/client-event.js';
import { NotificationDedupe } from '../../src/notification-dedupe.js';
import { NotificationIntake } from '../../src/notification-intake.js';

const msg = (id: string, type = 'a.b'): { id: string; type: string } => ({ id, type });

describe('NotificationDedupe', () => {
  it('accepts increasing ids and never the same id twice', () => {
    const dedupe = new NotificationDedupe();
    assert.deepEqual(['1-0', '1-1', '1-1', '2-0', '1-5', '2-0'].map((id) => dedupe.accept(msg(id))), [true, true, false, true, false, false]);
    assert.equal(dedupe.lastId, '2-0');
  });

  it('compares ids numerically, not as strings ("10-0" comes after "9-0")', () => {
    const dedupe = new NotificationDedupe('9-0');
    assert.equal(dedupe.accept(msg('10-0')), true);
    assert.equal(dedupe.accept(msg('9-9')), false);
  });

  it('lets control messages pass without touching the last id', () => {
    const dedupe = new NotificationDedupe('5-0');
    assert.equal(dedupe.accept({ id: null, type: '$recovery.incomplete' }), true);
    assert.equal(dedupe.accept({ id: null, type: '$recovery.incomplete' }), true);
    assert.equal(dedupe.lastId, '5-0');
  });
});

describe('NotificationIntake', () => {
  function intake(lastEventId?: string): { intake: NotificationIntake; delivered: Notification[]; events: ClientEvent[] } {
    const delivered: Notification[] = [];
    const events: ClientEvent[] = [];
    return { intake: new NotificationIntake({ notification: (n) => delivered.push(n), event: (e) => events.push(e) }, lastEventId), delivered, events };
  }
  const json = (id: string | null, type: string, payload: unknown = {}): string => JSON.stringify({ id, type, payload, createdAt: '2026-01-01T00:00:00Z' });

  it('delivers each id once across a reopened stream', () => {
    const { intake: subject, delivered, events } = intake();
    subject.streamOpened();
    for (const id of ['1-0', '2-0']) subject.receive(json(id, 'x'));
    assert.equal(subject.streamOpened(), '2-0');
    for (const id of ['2-0', '3-0']) subject.receive(json(id, 'x'));
    assert.deepEqual(delivered.map((n) => n.id), ['1-0', '2-0', '3-0']);
    assert.deepEqual(events, [{ kind: 'duplicate', id: '2-0' }]);
  });

  it('turns every kind of bad payload into a bad-payload event and never throws', () => {
    const { intake: subject, delivered, events } = intake();
    const bad = ['', 'nope', 'null', '42', '[]', '{}', json('1-0', 'bad type!'), json('abc', 'x'), json(null, 'x'), json('1-0', '$x'),
      JSON.stringify({ id: '1-0', type: 'x', createdAt: 'now' }), JSON.stringify({ id: '1-0', type: 'x', payload: 1, createdAt: 5 })];
    for (const text of bad) assert.doesNotThrow(() => subject.receive(text));
    assert.equal(delivered.length, 0);
    assert.equal(events.length, bad.length);
    assert.ok(events.every((e) => e.kind === 'bad-payload' && e.problem.length > 0));
  });

  it('surfaces $recovery.incomplete with the lastEventId the stream asked for, and other control messages as control', () => {
    const { intake: subject, events } = intake('7-0');
    subject.streamOpened();
    subject.receive(json(null, '$recovery.incomplete', { oldest: '9-0' }));
    subject.receive(json(null, '$future.thing', 1));
    assert.deepEqual(events, [
      { kind: 'recovery-incomplete', lastEventId: '7-0', payload: { oldest: '9-0' } },
      { kind: 'control', message: { id: null, type: '$future.thing', payload: 1, createdAt: '2026-01-01T00:00:00Z' } },
    ]);
  });
});
