import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { connectModern } from '../support/rsocket-clients.js';
import { ServiceProcess } from '../support/service-process.js';
import { keepAliveMaker, sessionRequestMaker, StalledClient, unknownRouteMaker, type FrameMaker } from '../support/stalled-client.js';
import { waitFor } from '../support/wait-for.js';

const MiB = 1024 * 1024;

function rssBytes(pid: number): number {
  return 1024 * Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** Samples the service's RSS every 50 ms until stopped; `peak` is the highest seen. */
function watchRss(pid: number): { peak: () => number; stop: () => void } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

/** POSTs a notification to `userId` every 100 ms while `running()` holds, and at least 10; resolves with the count. */
async function keepPosting(service: ServiceProcess, userId: string, running: () => boolean): Promise<number> {
  let sent = 0;
  while (running() || sent < 10) {
    const response = await fetch(`${service.baseUrl}/api/v1/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, type: 'tick', payload: sent }),
    });
    assert.equal(response.status, 202);
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return sent;
}

/**
 * Several stalled clients flood `make`-frames while a healthy client receives notifications, each until the service
 * is gone (at most `maxMs`; with `untilEnded`, until the service ended it): each flooder must be ended with [slow-consumer], the service's RSS must grow by less
 * than `rssBound` meanwhile, and the healthy client must get every notification. The flood guard is set out of the
 * way (a loaded machine can deliver a second's frames in a burst): the budget alone must stop them.
 */
async function attack(floods: Array<{ user: string; make: FrameMaker; perTick: number }>, maxMs: number, rssBound: number, untilEnded: boolean): Promise<void> {
  const service = await ServiceProcess.start({ LOG_LEVEL: 'debug', MAX_FRAMES_PER_SECOND: '1000000' });
  const endedAsSlow = (user: string): boolean =>
    service.logs.some((entry) => entry.msg === 'connection ended' && entry.userId === user && entry.ending === 'slow-consumer');
  const healthy = await connectModern(service.wsUrl, { userId: 'healthy' });
  await healthy.session();
  const attackers = await Promise.all(floods.map(({ user }) => StalledClient.open(service.wsUrl, user)));
  const rss = watchRss(service.pid);
  const baseline = rssBytes(service.pid);
  let flooding = true;
  const posting = keepPosting(service, 'healthy', () => flooding);
  for (const attacker of attackers) attacker.stopReading();
  await Promise.all(attackers.map((attacker, i) => attacker.flood(floods[i]!.make, floods[i]!.perTick, 10, maxMs, () => untilEnded && endedAsSlow(floods[i]!.user))));
  flooding = false;
  const posted = await posting;
  rss.stop();

  for (const { user } of floods) {
    await waitFor(() => endedAsSlow(user), `${user} to be ended as a slow consumer`);
  }
  const growth = rss.peak() - baseline;
  assert.ok(growth < rssBound, `RSS grew by ${(growth / MiB).toFixed(1)} MiB (bound ${rssBound / MiB} MiB)`);
  await waitFor(() => healthy.received.length === posted, `all ${posted} notifications of the healthy client`);
  assert.deepEqual(healthy.received.map((n) => n.payload), Array.from({ length: posted }, (_, i) => i));
}

describe('the outbound budget holds against clients that stop reading', () => {
  it('three clients echo-flooding 16 KiB KEEPALIVEs at ~800/s (up to 10 s): each ends as [slow-consumer], RSS +<64 MB, others served', async () => {
    const keepAlive = keepAliveMaker(16 * 1024);
    const floods = ['flood-1', 'flood-2', 'flood-3'].map((user) => ({ user, make: keepAlive, perTick: 8 }));
    // They keep sending until their sockets are gone: through the ending and its close grace, for up to 10 s.
    await attack(floods, 10_000, 64 * MiB, false);
  });

  it('clients provoking session answers or stream ERRORs in a loop are ended the same way', async () => {
    const floods = [
      { user: 'session-flood', make: sessionRequestMaker(), perTick: 150 },
      { user: 'error-flood', make: unknownRouteMaker(), perTick: 100 },
    ];
    await attack(floods, 30_000, 64 * MiB, true);
  });
});
