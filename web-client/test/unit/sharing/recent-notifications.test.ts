import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentNotifications } from '../../../src/sharing/recent-notifications.js';
import { notification } from '../../support/client-harness.js';

const id = (n: number): string => notification(n).id;

describe('RecentNotifications', () => {
  it('gives a tab that is behind everything after its last id, complete while nothing in between was dropped', () => {
    const recent = new RecentNotifications({ count: 3, chars: 1_000_000 });
    for (const n of [1, 2, 3]) recent.add(notification(n));
    assert.deepEqual(recent.after(id(1), id(3)), { notifications: [notification(2), notification(3)], complete: true });
    recent.add(notification(4));
    assert.deepEqual(recent.after(id(2), id(4)), { notifications: [notification(3), notification(4)], complete: true });
    assert.deepEqual(recent.after(id(1), id(4)), { notifications: [notification(2), notification(3), notification(4)], complete: false }, '1 was dropped: 2 is kept, but was anything between 1 and 2?');
    assert.deepEqual(recent.all(), [notification(2), notification(3), notification(4)]);
  });

  it('a tab at or ahead of this one needs nothing; one behind a tab that kept nothing cannot be helped', () => {
    const recent = new RecentNotifications();
    assert.deepEqual(recent.after(id(5), id(5)), { notifications: [], complete: true });
    assert.deepEqual(recent.after(id(6), id(5)), { notifications: [], complete: true });
    assert.deepEqual(recent.after(id(4), undefined), { notifications: [], complete: true });
    assert.deepEqual(recent.after(id(4), id(5)), { notifications: [], complete: false }, 'id 5 came from elsewhere (a floor)');
  });

  it('is bounded by size as well as count, keeping at least the newest', () => {
    const big = (n: number) => notification(n, 'big', 'x'.repeat(400));
    const recent = new RecentNotifications({ count: 100, chars: 1_000 });
    for (const n of [1, 2, 3, 4]) recent.add(big(n));
    assert.deepEqual(recent.after(id(0), id(4)).notifications.map((n) => n.id), [id(3), id(4)]);
    const tiny = new RecentNotifications({ count: 100, chars: 10 });
    tiny.add(big(1));
    assert.deepEqual(tiny.after(id(0), id(1)).notifications.map((n) => n.id), [id(1)]);
  });

  it('compares ids numerically (10-0 after 9-0)', () => {
    const recent = new RecentNotifications();
    const nine = { ...notification(0), id: '9-0' };
    const ten = { ...notification(0), id: '10-0' };
    recent.add(nine);
    recent.add(ten);
    assert.deepEqual(recent.after('9-0', '10-0'), { notifications: [ten], complete: true });
  });
});
