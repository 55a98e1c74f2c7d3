import { performance } from 'node:perf_hooks';

/** The payload every bench notification carries: its number, its user and when the bench issued it. */
const PAYLOAD = /"payload":\{"n":(\d+),"u":(\d+),"t":([\d.]+)\}/;

/** Milliseconds on the one clock the bench issues and receives by (sub-millisecond). */
export const now = (): number => performance.timeOrigin + performance.now();

/** Counts what the bench's clients receive: every notification exactly once, at its own user, readable. */
export class DeliveryTracker {
  sent = 0;
  /** Distinct notifications received. */
  received = 0;
  /** Every notification received, duplicates included. */
  deliveries = 0;
  duplicates = 0;
  misrouted = 0;
  unreadable = 0;
  closed = 0;
  /** Latencies (ms) of notifications numbered from `latencyFrom`, while recording. */
  latencies: number[] | undefined;
  latencyFrom = 0;
  private counts = new Uint8Array(1 << 16);

  /** The number of the next notification to send. */
  next(): number {
    if (this.sent >= this.counts.length) {
      const grown = new Uint8Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    return this.sent++;
  }

  receive(user: number, data: Buffer): void {
    const at = now();
    const match = PAYLOAD.exec(data.toString('latin1'));
    if (match === null) {
      this.unreadable += 1;
      return;
    }
    const n = Number(match[1]);
    this.deliveries += 1;
    if (Number(match[2]) !== user) this.misrouted += 1;
    if (n >= this.sent || (this.counts[n] ?? 0) > 0) {
      this.duplicates += 1;
    } else {
      this.counts[n] = 1;
      this.received += 1;
    }
    if (this.latencies !== undefined && n >= this.latencyFrom) this.latencies.push(at - Number(match[3]));
  }

  /** Throws unless every notification sent so far arrived exactly once, at its user, on sockets still open. */
  check(phase: string): void {
    const problems = [
      this.received !== this.sent ? `${this.sent - this.received} of ${this.sent} notifications never arrived` : '',
      this.duplicates > 0 ? `${this.duplicates} duplicate deliveries` : '',
      this.misrouted > 0 ? `${this.misrouted} deliveries to the wrong user` : '',
      this.unreadable > 0 ? `${this.unreadable} unreadable messages` : '',
      this.closed > 0 ? `${this.closed} client connections closed` : '',
    ].filter((problem) => problem !== '');
    if (problems.length > 0) throw new Error(`${phase}: ${problems.join('; ')}`);
  }
}
