import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { launchChromium, recordWebSocketFrames } from '../../support/chromium.js';
import { onCleanup } from '../../support/cleanup.js';
import { waitFor } from '../../support/wait-for.js';

const ARTIFACTS = new URL('../../../.test-artifacts/', import.meta.url);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MESSAGE = [0x00, 0x00, 0x00, 0x01, 0x18, 0x00, 0xff];

/** A page that opens a WebSocket to `wsPort`, sends MESSAGE as one binary message and shows the echo's length. */
function page(wsPort: number): string {
  return `<!doctype html><title>selftest</title><p id="state">connecting</p><script>
const ws = new WebSocket('ws://127.0.0.1:${wsPort}/');
ws.binaryType = 'arraybuffer';
ws.onopen = () => ws.send(new Uint8Array(${JSON.stringify(MESSAGE)}));
ws.onmessage = (event) => { document.getElementById('state').textContent = 'echoed ' + event.data.byteLength; };
</script>`;
}

async function listen(server: Server | WebSocketServer): Promise<number> {
  await new Promise<void>((resolve) => server.once('listening', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

describe('launchChromium', () => {
  it('loads a page, records its binary WebSocket frames through DevTools and takes a screenshot', async () => {
    const echo = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    echo.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    const wsPort = await listen(echo);
    const http = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(page(wsPort)));
    http.listen(0, '127.0.0.1');
    const httpPort = await listen(http);

    const browser = await launchChromium();
    const recorder = await recordWebSocketFrames(browser.page);
    await browser.page.goto(`http://127.0.0.1:${httpPort}/`);
    await browser.page.locator('#state', { hasText: 'echoed 7' }).waitFor();
    await waitFor(() => recorder.frames.length >= 2, 'DevTools to report both frames');

    const expected = Buffer.from(MESSAGE);
    assert.deepEqual(
      recorder.frames.map(({ direction, url, opcode, data }) => ({ direction, url, opcode, data })),
      [
        { direction: 'sent', url: `ws://127.0.0.1:${wsPort}/`, opcode: 2, data: expected },
        { direction: 'received', url: `ws://127.0.0.1:${wsPort}/`, opcode: 2, data: expected },
      ],
    );
    const png = await browser.page.screenshot();
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(new URL('chromium-selftest.png', ARTIFACTS), png);
    await recorder.stop();
    await browser.close();
  });

  it('names the missing package when Chromium is not installed', async () => {
    await assert.rejects(launchChromium({ executablePath: '/nonexistent/chromium' }), {
      message: 'chromium not found: install it with "apt-get install -y chromium" (.ci/run does this on a fresh machine)',
    });
  });
});
