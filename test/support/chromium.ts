import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { onCleanup } from './cleanup.js';

const CHROMIUM = '/usr/bin/chromium';
const NOT_INSTALLED = 'chromium not found: install it with "apt-get install -y chromium" (.ci/run does this on a fresh machine)';

// Debian's Chromium, headless, as root, with nothing that phones home or updates itself: on a machine without outside
// network, background networking fails many connections at every start.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile: its context, its first page, and `close()` (idempotent). */
export interface LaunchedChromium {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Launches Debian's Chromium (`executablePath`, default /usr/bin/chromium) headless on a throwaway profile. */
export async function launchChromium(options: { executablePath?: string } = {}): Promise<LaunchedChromium> {
  const executablePath = options.executablePath ?? CHROMIUM;
  if (!existsSync(executablePath)) throw new Error(NOT_INSTALLED);
  // A persistent context is how Playwright takes a profile directory (passing --user-data-dir in args throws).
  const profile = await mkdtemp(join(tmpdir(), 'chromium-test-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= context.close().finally(() => rm(profile, { recursive: true, force: true })));
  onCleanup(close);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, close };
}

/** One WebSocket frame as DevTools saw it; `data` is the decoded payload (base64 for binary frames, opcode 2). */
export interface RecordedFrame {
  direction: 'sent' | 'received';
  /** The socket's URL (empty if it was created before recording started). */
  url: string;
  opcode: number;
  data: Buffer;
  /** When the test process heard of it (epoch ms), for intervals between frames. */
  at: number;
}

/** The frames recorded so far on a page, the WebSockets it opened, and `stop()` to detach the DevTools session. */
export interface FrameRecorder {
  readonly frames: RecordedFrame[];
  /** URLs of the WebSockets the page created, in order. */
  readonly sockets: string[];
  stop(): Promise<void>;
}

function decode(opcode: number, payloadData: string): Buffer {
  return opcode === 1 ? Buffer.from(payloadData, 'utf8') : Buffer.from(payloadData, 'base64');
}

/** Records every WebSocket frame `page` sends and receives from now on, through a CDP session (`Network.enable`). */
export async function recordWebSocketFrames(page: Page): Promise<FrameRecorder> {
  const session: CDPSession = await page.context().newCDPSession(page);
  const urls = new Map<string, string>();
  const frames: RecordedFrame[] = [];
  const record = (direction: RecordedFrame['direction'], requestId: string, opcode: number, payloadData: string): void => {
    frames.push({ direction, url: urls.get(requestId) ?? '', opcode, data: decode(opcode, payloadData), at: Date.now() });
  };
  const sockets: string[] = [];
  session.on('Network.webSocketCreated', ({ requestId, url }) => {
    urls.set(requestId, url);
    sockets.push(url);
  });
  session.on('Network.webSocketFrameSent', ({ requestId, response }) => record('sent', requestId, response.opcode, response.payloadData));
  session.on('Network.webSocketFrameReceived', ({ requestId, response }) => record('received', requestId, response.opcode, response.payloadData));
  await session.send('Network.enable');
  return { frames, sockets, stop: () => session.detach().catch(() => undefined) };
}
