import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { ConsoleMessage } from 'playwright-core';
import { launchChromium, recordWebSocketFrames } from '../../../test/support/chromium.js';
import { startService } from '../../../test/support/service.js';
import { startStaticServer } from '../../../test/support/static-server.js';
import { waitFor } from '../../../test/support/wait-for.js';

const BUNDLE = fileURLToPath(new URL('../../dist/web-client.mjs', import.meta.url));

/** An app page as a production build would have it: no `debug` option, no logger, just the client. */
const PAGE = `<!doctype html><title>app</title><script type="module">
import { getNotificationClient } from '/web-client.mjs';
const ws = new URLSearchParams(location.search).get('ws');
const client = getNotificationClient({ url: ws, userId: 'qa' });
window.received = [];
client.state$.subscribe(({ state }) => { document.body.dataset.state = state; });
client.notifications$.subscribe((n) => window.received.push(n.id));
</script>`;

interface Logged {
  type: string;
  text: string;
}

describe('QA\'s localStorage switch in real Chromium', () => {
  it('off: the console stays quiet; on after a reload: SETUP, metadata and the PAYLOAD with its id at info level', async () => {
    const service = await startService();
    const app = await startStaticServer({
      '/': { text: PAGE, contentType: 'text/html; charset=utf-8' },
      '/web-client.mjs': { file: BUNDLE, contentType: 'text/javascript; charset=utf-8' },
      // A 404 for the icon would be console output of its own.
      '/favicon.ico': { text: '', contentType: 'image/x-icon' },
    });
    const { page } = await launchChromium();
    const logged: Logged[] = [];
    page.on('console', (message: ConsoleMessage) => logged.push({ type: message.type(), text: message.text() }));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const received = (): Promise<string[]> => page.evaluate('window.received') as Promise<string[]>;
    const connected = (): Promise<void> =>
      waitFor(async () => (await page.evaluate('document.body?.dataset.state')) === 'connected', `the page's client to connect (console: ${JSON.stringify(logged)})`);

    await page.goto(`${app.url}/?ws=${encodeURIComponent(service.wsUrl)}`);
    await connected();
    const quiet = await service.send({ userId: 'qa', type: 'qa.check', payload: { n: 1 } });
    const quietId = quiet.body.notifications[0]?.id ?? '';
    await waitFor(async () => (await received()).includes(quietId), 'the notification on the page without the switch');
    assert.equal(logged.length, 0, `without the switch the client writes nothing to the console, got ${JSON.stringify(logged)}`);
    assert.equal(await page.evaluate('typeof window.notificationTransportDebug'), 'undefined');

    await page.evaluate("localStorage.setItem('notification-transport.debug', '1')");
    const recorder = await recordWebSocketFrames(page);
    await page.reload();
    await connected();
    const sent = await service.send({ userId: 'qa', type: 'qa.check', payload: { n: 2 } });
    const id = sent.body.notifications[0]?.id ?? '';
    const lines = (): Logged[] => logged.filter((entry) => entry.text.startsWith('[notification-client]'));
    await waitFor(() => lines().some((entry) => entry.text.includes(`<- PAYLOAD stream=`) && entry.text.includes(`id=${id} `)), `the PAYLOAD line with id=${id}`);

    const setup = lines().find((entry) => entry.text.includes('-> SETUP stream=0'));
    assert.ok(setup, 'the SETUP frame is logged');
    for (const field of ['keepAlive=15000', 'lifetime=45000', 'dataMimeType=application/json', 'metadataMimeType=message/x.rsocket.composite-metadata.v0', 'data={"userId":"qa"}']) {
      assert.ok(setup.text.includes(field), `SETUP shows ${field}: ${setup.text}`);
    }
    assert.ok(lines().some((entry) => entry.text.includes('-> REQUEST_STREAM') && entry.text.includes('route=notifications')), 'composite metadata decoded into the route');
    assert.deepEqual([...new Set(lines().map((entry) => entry.type))], ['info'], 'every line at info level, shown by default');
    await page.evaluate("localStorage.removeItem('notification-transport.debug')");

    // A frame copied from DevTools' WS pane (base64) decodes with the helper the switch puts on the page.
    const payload = recorder.frames.find((frame) => frame.direction === 'received' && frame.data.includes(Buffer.from(id)));
    assert.ok(payload, 'DevTools saw the PAYLOAD frame');
    const decoded = (await page.evaluate(`notificationTransportDebug.decode(${JSON.stringify(payload.data.toString('base64'))})`)) as { type: string; data: { id: string } };
    assert.deepEqual([decoded.type, decoded.data.id], ['PAYLOAD', id]);
    assert.deepEqual(pageErrors, []);
  });
});
