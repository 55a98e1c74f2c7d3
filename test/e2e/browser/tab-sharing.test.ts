import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../../support/chromium.js';
import { startService, type RunningService } from '../../support/service.js';
import { quietPeriod, waitFor } from '../../support/wait-for.js';

const CONNECTED = '#state[data-state="connected"]';
// Generous: six tabs of headless Chromium and the service share two cores with whatever else runs.
const SLOW = 20_000;

// One browser for the file (each test uses users of its own, so their groups never meet); each test's tabs close after it.
let chromium: Promise<LaunchedChromium> | undefined;
const opened: Page[] = [];
const senders: Array<() => Promise<unknown>> = [];

async function browserContext(): Promise<BrowserContext> {
  chromium ??= launchChromium();
  return (await chromium).context;
}

afterEach(async () => {
  await Promise.all(senders.splice(0).map((stop) => stop().catch(() => undefined)));
  await Promise.all(opened.splice(0).map((page) => page.close().catch(() => undefined)));
});

/** Opens `count` demo-page tabs one after the other at `query`, each waited for until it shows `connected`. */
async function openTabs(context: BrowserContext, baseUrl: string, query: string, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i += 1) {
    const page = await context.newPage();
    opened.push(page);
    await page.goto(`${baseUrl}/?${query}`);
    await page.waitForSelector(CONNECTED, { timeout: SLOW });
    pages.push(page);
  }
  return pages;
}

/** Payloads of the notifications the demo page shows, oldest first (the list shows the newest on top). */
async function shownPayloads(page: Page): Promise<unknown[]> {
  // A string expression: the page runs it with DOM types this Node project does not compile against.
  const texts = (await page.evaluate("Array.from(document.querySelectorAll('#notifications li:not(.control) > code'), (node) => node.textContent)")) as string[];
  return texts.reverse().map((text) => JSON.parse(text) as unknown);
}

async function roleOf(page: Page): Promise<string | null> {
  return page.getAttribute('#role', 'data-role');
}

async function roles(pages: Page[]): Promise<Array<string | null>> {
  return Promise.all(pages.map(roleOf));
}

/** The one page whose role badge says leader, once there is exactly one. */
async function leaderAmong(pages: Page[]): Promise<Page> {
  let leader: Page | undefined;
  await waitFor(async () => {
    const found = (await roles(pages)).flatMap((role, i) => (role === 'leader' ? [pages[i]!] : []));
    leader = found.length === 1 ? found[0] : undefined;
    return leader !== undefined;
  }, 'exactly one leader tab', SLOW);
  return leader!;
}

async function allConnected(pages: Page[]): Promise<boolean> {
  const states = await Promise.all(pages.map((page) => page.getAttribute('#state', 'data-state')));
  return states.every((state) => state === 'connected');
}

/** Reads `transport_connections` over and over until stopped, keeping the largest value seen. */
function sampleConnections(service: RunningService): { stop(): Promise<number> } {
  let running = true;
  let max = 0;
  const loop = (async () => {
    while (running) max = Math.max(max, await service.metric('transport_connections'));
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return max;
    },
  };
}

/** POSTs `{k}` for k = 0, 1, 2, ... to `userId`, one every 50 ms, until stopped; `stop()` resolves with how many were accepted. */
function sendEvery50ms(service: RunningService, userId: string): { sent(): number; stop(): Promise<number> } {
  let running = true;
  let k = 0;
  const loop = (async () => {
    while (running) {
      const outcome = await service.send({ userId, type: 'handover.test', payload: { k } });
      if (outcome.status !== 202) throw new Error(`POST of k=${k} answered ${outcome.status}`);
      k += 1;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the sending pace, not a wait for an outcome
    }
  })();
  loop.catch(() => undefined); // reported by stop(); a test that fails first must not leave an unhandled rejection
  const stop = async (): Promise<number> => {
    running = false;
    await loop;
    return k;
  };
  senders.push(stop);
  return { sent: () => k, stop };
}

describe('tabs of one browser share one connection (real Chromium, demo page)', () => {
  it('six tabs of one user: one connection in steady state, at most two while a leader closes, navigates away or crashes', async () => {
    const service = await startService();
    const context = await browserContext();
    let tabs = await openTabs(context, service.baseUrl, 'user=alice', 6);
    await waitFor(async () => (await service.metric('transport_connections')) === 1, 'one connection for six tabs', SLOW);
    assert.ok(await allConnected(tabs), 'every tab connected');
    assert.deepEqual((await roles(tabs)).sort(), ['follower', 'follower', 'follower', 'follower', 'follower', 'leader']);
    assert.match((await (await leaderAmong(tabs)).textContent('#role')) ?? '', /holds the connection/);

    const ways: Array<[string, (leader: Page) => Promise<unknown>]> = [
      ['closes', (leader) => leader.close()],
      ['navigates away', (leader) => leader.goto(`${service.baseUrl}/healthz`)],
      ['crashes', async (leader) => void (await context.newCDPSession(leader)).send('Page.crash').catch(() => undefined)], // never answers
    ];
    for (const [how, end] of ways) {
      const leader = await leaderAmong(tabs);
      const sampler = sampleConnections(service);
      await end(leader);
      tabs = tabs.filter((tab) => tab !== leader);
      await leaderAmong(tabs);
      await waitFor(() => allConnected(tabs), `every tab connected again after the leader ${how}`, SLOW);
      await waitFor(async () => (await service.metric('transport_connections')) === 1, `one connection again after the leader ${how}`, SLOW);
      assert.ok((await sampler.stop()) <= 2, `at most two connections while the leader ${how}`);
    }
    assert.equal(tabs.length, 3);
  });

  it('notifications every 50 ms while the leader closes and then a leader crashes: every surviving tab has each once, in order', async () => {
    const service = await startService();
    const context = await browserContext();
    const tabs = await openTabs(context, service.baseUrl, 'user=bea', 5);
    const sender = sendEvery50ms(service, 'bea');
    await waitFor(async () => (await shownPayloads(tabs[4]!)).length >= 3, 'the first notifications in the newest tab', SLOW);

    const first = await leaderAmong(tabs);
    await first.close();
    const left = tabs.filter((tab) => tab !== first);
    const second = await leaderAmong(left);
    const beforeCrash = sender.sent();
    await waitFor(async () => (await shownPayloads(second)).length >= beforeCrash + 3, 'notifications through the second leader', SLOW);

    const cdp = await context.newCDPSession(second);
    void cdp.send('Page.crash').catch(() => undefined);
    const survivors = left.filter((tab) => tab !== second);
    const third = await leaderAmong(survivors);
    const afterCrash = sender.sent();
    await waitFor(async () => (await shownPayloads(third)).length >= afterCrash + 3, 'notifications through the third leader', SLOW);

    const total = await sender.stop();
    const expected = Array.from({ length: total }, (_, k) => ({ k }));
    for (const tab of survivors) await waitFor(async () => (await shownPayloads(tab)).length >= total, `all ${total} in a surviving tab`, SLOW);
    await quietPeriod(500);
    for (const [i, tab] of survivors.entries()) assert.deepEqual(await shownPayloads(tab), expected, `surviving tab ${i}: each of ${total} once, in order`);
  });

  it('two users in two tabs: two connections, nothing of one in the other; a tab that switches users joins the other group', async () => {
    const service = await startService();
    const context = await browserContext();
    const [carol] = await openTabs(context, service.baseUrl, 'user=carol', 1);
    const [dave, switching] = await openTabs(context, service.baseUrl, 'user=dave', 2);
    await waitFor(async () => (await service.metric('transport_connections')) === 2, 'one connection per user', SLOW);
    assert.deepEqual(await roles([carol!, dave!, switching!]), ['leader', 'leader', 'follower']);

    // Log-out and log-in without a reload: the page's client is closed and created again for the other user.
    await switching!.evaluate(`(async () => {
      const { closeNotificationClient, getNotificationClient } = await import('/demo/web-client.mjs');
      closeNotificationClient();
      const client = getNotificationClient({ url: 'ws://' + location.host + '/rsocket', userId: 'carol' });
      window.switched = { received: [], role: 'none', state: 'disconnected' };
      client.notifications$.subscribe((n) => window.switched.received.push(n.payload));
      client.role$.subscribe((role) => { window.switched.role = role; });
      client.state$.subscribe(({ state }) => { window.switched.state = state; });
    })()`);
    await waitFor(async () => (await switching!.evaluate('window.switched.state')) === 'connected', 'the switched tab connected as carol', SLOW);
    assert.equal(await switching!.evaluate('window.switched.role'), 'follower', "it follows carol's tab");
    assert.equal(await service.metric('transport_connections'), 2);

    for (const [userId, k] of [['carol', 1], ['dave', 2], ['carol', 3], ['dave', 4]] as const) {
      assert.equal((await service.send({ userId, type: 'private.test', payload: { k, for: userId } })).status, 202);
    }
    await waitFor(async () => (await shownPayloads(carol!)).length === 2 && (await shownPayloads(dave!)).length === 2, 'two each', SLOW);
    await waitFor(async () => ((await switching!.evaluate('window.switched.received.length')) as number) === 2, 'two in the switched tab', SLOW);
    await quietPeriod(300);
    assert.deepEqual(await shownPayloads(carol!), [{ k: 1, for: 'carol' }, { k: 3, for: 'carol' }]);
    assert.deepEqual(await shownPayloads(dave!), [{ k: 2, for: 'dave' }, { k: 4, for: 'dave' }]);
    assert.deepEqual(await switching!.evaluate('window.switched.received'), [{ k: 1, for: 'carol' }, { k: 3, for: 'carol' }]);
  });

  it('shareAcrossTabs: false: one connection per tab, as before sharing', async () => {
    const service = await startService();
    const context = await browserContext();
    const tabs = await openTabs(context, service.baseUrl, 'user=erin&share=0', 3);
    await waitFor(async () => (await service.metric('transport_connections')) === 3, 'three connections for three tabs', SLOW);
    assert.deepEqual(await roles(tabs), ['own', 'own', 'own']);
    assert.equal((await service.send({ userId: 'erin', type: 'each.tab', payload: { k: 0 } })).status, 202);
    for (const tab of tabs) await waitFor(async () => (await shownPayloads(tab)).length === 1, 'the notification in every tab', SLOW);
  });
});
