import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deadlines, dueEnding, type Timed } from '../../../src/rsocket/deadlines.js';
import type { ConnectionEnding } from '../../../src/rsocket/endings.js';

class Subject implements Timed {
  readonly endings: Array<[ConnectionEnding, string]> = [];
  readonly lifetimeMs: number | undefined;
  readonly tokenExpiresAt: number | undefined;
  constructor(
    public phase: Timed['phase'],
    public openedAt = 0,
    public lastReceivedAt = 0,
    lifetimeMs?: number,
    tokenExpiresAt?: number,
  ) {
    this.lifetimeMs = lifetimeMs;
    this.tokenExpiresAt = tokenExpiresAt;
  }
  end(ending: ConnectionEnding, detail: string): void {
    this.endings.push([ending, detail]);
  }
}

describe('connection deadlines', () => {
  it('refuses a socket without SETUP once the setup timeout passed since the upgrade, whatever it sent meanwhile', () => {
    const subject = new Subject('awaiting-setup', 1_000, 10_500);
    assert.equal(dueEnding(subject, 10_999, 10_000), undefined);
    assert.deepEqual(dueEnding(subject, 11_000, 10_000), { ending: 'invalid-setup', detail: 'no SETUP within 10000 ms of the upgrade' });
  });

  it('drops a connection silent for its lifetime, counting from the last frame of any kind', () => {
    for (const phase of ['accepting', 'accepted'] as const) {
      const subject = new Subject(phase, 0, 5_000, 60_000);
      assert.equal(dueEnding(subject, 64_999, 10_000), undefined, phase);
      assert.equal(dueEnding(subject, 65_000, 10_000)?.ending, 'silent', phase);
    }
  });

  it('ends an accepted connection when its token expires, before the lifetime is considered', () => {
    const subject = new Subject('accepted', 0, 0, 60_000, 30_000);
    assert.equal(dueEnding(subject, 29_999, 10_000), undefined);
    assert.deepEqual(dueEnding(subject, 30_000, 10_000), { ending: 'token-expired', detail: 'the token expired; reconnect with a fresh token' });
    assert.equal(dueEnding(subject, 90_000, 10_000)?.ending, 'token-expired');
  });

  it('has no deadline once an ending began or the socket closed', () => {
    for (const phase of ['ending', 'closed'] as const) {
      assert.equal(dueEnding(new Subject(phase, 0, 0, 1, 1), 1_000_000, 1), undefined, phase);
    }
  });

  it('one sweep ends every tracked connection whose deadline passed, and only those', () => {
    const deadlines = new Deadlines<Subject>(10_000, 1_000);
    const late = new Subject('awaiting-setup', 0);
    const fresh = new Subject('awaiting-setup', 5_000);
    const gone = new Subject('awaiting-setup', 0);
    for (const subject of [late, fresh, gone]) deadlines.track(subject);
    deadlines.untrack(gone);
    deadlines.sweep(12_000);
    assert.equal(late.endings.length, 1);
    assert.equal(fresh.endings.length, 0);
    assert.equal(gone.endings.length, 0);
    assert.equal(deadlines.size, 2);
  });
});
