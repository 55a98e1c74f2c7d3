import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { launchChromium, recordWebSocketFrames } from '../../support/chromium.js';
import { Cluster } from '../../support/cluster.js';
import { postWithRetry } from '../../support/initiator.js';
import { NginxProcess } from '../../support/nginx-process.js';
import { quietPeriod, waitFor } from '../../support/wait-for.js';

const upstreamsOf = (cluster: Cluster): string[] => cluster.instances.map((i) => `127.0.0.1:${i.port}`);

/** Payloads of the notifications the demo page shows, oldest first (the list shows the newest on top). */
async function shownPayloads(page: import('playwright-core').Page): Promise<unknown[]> {
  // A string expression: the page runs it with DOM types this Node project does not compile against.
  const texts = (await page.evaluate(
    "Array.from(document.querySelectorAll('#notifications li:not(.control) > code'), (node) => node.textContent)",
  )) as string[];
  return texts.reverse().map((text) => JSON.parse(text) as unknown);
}

describe('the browser client behind real nginx, two instances and Redis', () => {
  it('the page reconnects through nginx when its instance is killed and gets every notification sent meanwhile, once', async () => {
    const cluster = await Cluster.start(2, { DEMO_PAGE: '1' });
    const nginx = await NginxProcess.start({ upstreams: upstreamsOf(cluster) });
    const { page } = await launchChromium();
    await page.goto(`${nginx.baseUrl}/?user=carol&keepAlive=2000&lifetime=10000`);
    await page.waitForSelector('#state[data-state="connected"]');
    const badge = (await page.textContent('#state')) ?? '';
    const victim = cluster.instances.find((instance) => badge.endsWith(instance.instanceId));
    assert.ok(victim, `the badge names the instance (${badge})`);

    const PER_PHASE = 10;
    const send = async (k: number): Promise<void> => {
      const outcome = await postWithRetry(() => [nginx.baseUrl], { userId: 'carol', type: 'through.nginx', payload: { k } }, `carol-${k}`);
      assert.equal(outcome.status, 202);
    };
    for (let k = 0; k < PER_PHASE; k += 1) await send(k);
    await waitFor(async () => (await shownPayloads(page)).length === PER_PHASE, 'the first notifications');

    await victim.kill('SIGKILL');
    for (let k = PER_PHASE; k < 3 * PER_PHASE; k += 1) await send(k);
    await page.waitForSelector(`#state[data-state="connected"]:not(:has-text("${victim.instanceId}"))`, { timeout: 15_000 });
    await waitFor(async () => (await shownPayloads(page)).length >= 3 * PER_PHASE, 'every notification', 15_000);
    await quietPeriod(300);
    assert.deepEqual(await shownPayloads(page), Array.from({ length: 3 * PER_PHASE }, (_, k) => ({ k })), 'each once, in order');
  });

  it('a bad token ends in the disconnected state with the reason shown, and no reconnect storm', async () => {
    const secret = 'behind-nginx-test-secret-0123456789abcdef';
    const cluster = await Cluster.start(2, { AUTH_JWT_SECRET: secret, DEMO_PAGE: '1', INITIATOR_API_KEYS: 'k' });
    const nginx = await NginxProcess.start({ upstreams: upstreamsOf(cluster) });
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime('1h').sign(new TextEncoder().encode('not-the-secret-0123456789abcdefghij'));
    const { page } = await launchChromium();
    const recorder = await recordWebSocketFrames(page);
    await page.goto(`${nginx.baseUrl}/?user=mallory&token=${forged}`);
    await page.waitForSelector('#state[data-state="disconnected"]:has-text("auth")');
    await quietPeriod(3_000);
    assert.equal(recorder.sockets.length, 1, 'one attempt, no reconnect storm');
    assert.match((await page.getAttribute('#state', 'title')) ?? '', /token signature is invalid/);
    assert.equal(await page.getAttribute('#state', 'data-state'), 'disconnected');
  });
});
