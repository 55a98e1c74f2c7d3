import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameTypes } from 'rsocket-core';
import { bodyFilling, bystander, quantile } from '../support/fan-out-load.js';
import { postNotification } from '../support/initiator.js';
import { RawRSocket } from '../support/raw-rsocket.js';
import { connectModern } from '../support/rsocket-clients.js';
import { ServiceProcess } from '../support/service-process.js';
import { onCleanup } from '../support/cleanup.js';
import { quietPeriod, waitFor } from '../support/wait-for.js';

const MAX_BODY_BYTES = 1_048_576;
/** Requests of 1,000 users in a row while the other initiator posts: at least this many … */
const MIN_ROUNDS = 3;
/** … and until the other user received this many notifications. */
const MIN_SAMPLES = 120;

describe('fair at any size, on the in-process broker', () => {
  it('1,000 users × a body filling MAX_BODY_BYTES: another user\'s notifications keep arriving within 250 ms (p99)', async (t) => {
    const service = await ServiceProcess.start({ MAX_CONNECTIONS_PER_USER: '100' });
    onCleanup(() => service.kill());
    const userIds = Array.from({ length: 1_000 }, (_, i) => `solo-${i}`);
    // Raw clients only count frames: the test process stays free to timestamp the other user's deliveries.
    const recipients = await Promise.all(
      userIds.filter((_, i) => i % 20 === 0).map(async (userId) => {
        const raw = await RawRSocket.open(service.wsUrl);
        raw.setup(userId);
        raw.requestStream(1, 1_000);
        return raw;
      }),
    );
    const arrivals = new Map<number, number>();
    const watcher = await connectModern(service.wsUrl, {
      userId: 'watched-user',
      onNotification: (n) => arrivals.set(n.payload as number, Date.now()),
    });
    await watcher.session();
    const users = async (): Promise<number> => Number(/^transport_users\S* (\d+)/m.exec(await (await fetch(`${service.baseUrl}/metrics`)).text())?.[1]);
    await waitFor(async () => (await users()) === recipients.length + 1, 'every recipient registered', 10_000);

    // Requests one after another (each delivered, then a pause) until the other user's p99 rests on over a hundred deliveries, not on the single slowest.
    const payloads = (raw: RawRSocket): number => raw.ofType(FrameTypes.PAYLOAD).length;
    let rounds = 0;
    const measure = async (attempt: number): Promise<number> => {
      arrivals.clear();
      const other = await bystander(service.baseUrl, 'watched-user');
      await waitFor(() => arrivals.size >= 3, 'the other initiator under way', 10_000);
      for (let round = 1; round <= MIN_ROUNDS || arrivals.size < MIN_SAMPLES; round += 1) {
        rounds += 1;
        const big = await postNotification(service.baseUrl, bodyFilling(MAX_BODY_BYTES, userIds));
        assert.equal(big.status, 202, JSON.stringify(big.body.error));
        assert.equal(big.body.notifications.filter((n) => n.online).length, recipients.length);
        await waitFor(() => recipients.every((raw) => payloads(raw) >= rounds), `every connected recipient to receive request ${rounds}`, 60_000);
        await quietPeriod(250);
      }
      await quietPeriod(500);
      const posts = await other.stop();
      await waitFor(() => arrivals.size === posts.length, 'every notification of the other user delivered', 10_000);
      assert.deepEqual([...new Set(posts.map((p) => p.status))], [202]);
      assert.ok(posts.length >= 100, `the other initiator posted during the request (${posts.length})`);
      const p99 = quantile(posts.map((p) => (arrivals.get(p.payload) as number) - p.sentAt), 0.99);
      t.diagnostic(`in-process fan-out, attempt ${attempt}: the other user's delivery p99 ${p99} ms over ${posts.length} notifications, ${rounds} requests of 1,000 users so far`);
      return p99;
    };
    // A loaded CI machine can stall every process for a moment; one such stall is not the service delaying the other
    // user, so a failed measurement is taken once more (both logged) and the second one decides.
    let p99 = await measure(1);
    if (p99 >= 250) p99 = await measure(2);

    assert.ok(recipients.every((raw) => payloads(raw) === rounds), 'each recipient got each request exactly once');
    assert.ok(p99 < 250, `the other user's notifications arrived within ${p99} ms (p99), under 250 ms`);
  });
});
