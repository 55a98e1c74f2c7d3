import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { deserializeFrame, Flags, FrameTypes, serializeFrame, type ErrorFrame, type Frame, type SetupFrame } from 'rsocket-core';
import type WebSocket from 'ws';
import { RSocketEndError } from '../../../src/errors/transport-error.js';
import type { Admitted, ConnectionHandler, ConnectionPort } from '../../../src/rsocket/connection-handler.js';
import { Connection, type ConnectionSettings } from '../../../src/rsocket/connection.js';
import { setupFrame } from '../../../../test/support/raw-rsocket.js';

/** The parts of a ws socket a connection uses, recording what it sends and how it closes. */
class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Frame[] = [];
  closedWith: [number, string | undefined] | undefined;
  terminated = false;
  send(bytes: Buffer): void {
    this.sent.push(deserializeFrame(bytes));
  }
  close(code: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
  }
  errors(): ErrorFrame[] {
    return this.sent.filter((frame): frame is ErrorFrame => frame.type === FrameTypes.ERROR);
  }
}

/** A handler that records every call and accepts (or not) when the test says. */
class RecordingHandler implements ConnectionHandler {
  readonly calls: string[] = [];
  decide!: { accept: (admitted: Admitted) => void; refuse: (error: unknown) => void };
  onFrame: (frame: Frame) => void = () => {};
  constructor(readonly port: ConnectionPort) {}
  setup(setup: SetupFrame, upgrade: IncomingMessage): Promise<Admitted> {
    this.calls.push(`setup ${setup.keepAlive} ${upgrade.url ?? ''}`);
    return new Promise((accept, refuse) => (this.decide = { accept, refuse }));
  }
  frame(frame: Frame): void {
    this.calls.push(`frame ${FrameTypes[frame.type]} ${frame.streamId}`);
    this.onFrame(frame);
  }
  closed(): void {
    this.calls.push('closed');
  }
}

const logged: string[] = [];
const settings: ConnectionSettings = {
  maxFrameBytes: 65_536,
  maxDataBytes: 16_384,
  maxLifetimeMs: 300_000,
  maxFramesPerSecond: 50,
  maxFramesBeforeAccept: 3,
  budget: { maxBufferedBytes: 1_000, maxWaiting: 10 },
  closeGraceMs: 60_000,
  onEnded: () => {},
  logger: pino({ level: 'error' }, { write: (line: string) => void logged.push(line) }),
};

const SETUP = serializeFrame(setupFrame('a', { flags: Flags.NONE }));
const requestN = (streamId: number): Buffer => serializeFrame({ type: FrameTypes.REQUEST_N, streamId, flags: 0, requestN: 1 });

function open(overrides: Partial<ConnectionSettings> = {}): { connection: Connection; socket: FakeSocket; handler: RecordingHandler; untracked: Connection[] } {
  const socket = new FakeSocket();
  let handler!: RecordingHandler;
  const untracked: Connection[] = [];
  const upgrade = new IncomingMessage(new Socket());
  upgrade.url = '/rsocket?x=1';
  const connection = new Connection('c-1', socket as unknown as WebSocket, upgrade, (port) => (handler = new RecordingHandler(port)), { ...settings, ...overrides }, { untrack: (closed) => void untracked.push(closed) });
  return { connection, socket, handler, untracked };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A connection whose SETUP (as alice) was accepted. */
async function openAccepted(): Promise<ReturnType<typeof open>> {
  const opened = open();
  opened.connection.receive(SETUP, true);
  opened.handler.decide.accept({ userId: 'alice' });
  await settle();
  return opened;
}

describe('Connection', () => {
  it('hands the SETUP and the upgrade to the handler, holds frames until it accepts, then passes them on in order', async () => {
    const { connection, handler } = open();
    connection.receive(SETUP, true);
    connection.receive(requestN(1), true);
    connection.receive(requestN(3), true);
    assert.equal(connection.phase, 'accepting');
    assert.deepEqual(handler.calls, ['setup 20000 /rsocket?x=1']);
    handler.decide.accept({ userId: 'alice', expiresAt: 123 });
    await settle();
    connection.receive(requestN(5), true);
    assert.equal(connection.phase, 'accepted');
    assert.equal(connection.live, true);
    assert.deepEqual([connection.userId, connection.tokenExpiresAt, connection.lifetimeMs], ['alice', 123, 90_000]);
    assert.deepEqual(handler.calls, ['setup 20000 /rsocket?x=1', 'frame REQUEST_N 1', 'frame REQUEST_N 3', 'frame REQUEST_N 5']);
  });

  it('refuses a first frame that is not a SETUP with INVALID_SETUP and close 1002; the handler hears closed once', () => {
    const { connection, socket, handler } = open();
    connection.receive(requestN(1), true);
    assert.equal(socket.errors()[0]?.code, 0x1);
    assert.match(socket.errors()[0]?.message ?? '', /^\[invalid-setup\] the first frame must be SETUP/);
    assert.deepEqual(socket.closedWith, [1002, '[invalid-setup]']);
    connection.socketClosed();
    assert.deepEqual(handler.calls, ['closed']);
    assert.equal(connection.phase, 'closed');
  });

  it('a refusal from the handler carries its own row: [connection-limit] is REJECTED_SETUP and close 1008', async () => {
    const { connection, socket, handler } = open();
    connection.receive(SETUP, true);
    handler.decide.refuse(new RSocketEndError('connection-limit', 'connection limit of 1 reached'));
    await settle();
    assert.deepEqual([socket.errors()[0]?.streamId, socket.errors()[0]?.code], [0, 0x3]);
    assert.equal(socket.errors()[0]?.message, '[connection-limit] connection limit of 1 reached');
    assert.deepEqual(socket.closedWith, [1008, '[connection-limit]']);
    assert.deepEqual(handler.calls.slice(1), ['closed']);
  });

  it('ends once: a second end, frames after it and the socket close change nothing more', async () => {
    const { connection, socket, handler, untracked } = await openAccepted();
    connection.end('replaced', 'a newer connection');
    connection.end('internal', 'again');
    connection.receive(requestN(1), true);
    assert.deepEqual(untracked, [], 'tracked until its socket closed');
    connection.socketClosed();
    assert.deepEqual(untracked, [connection], 'untracked once its socket closed');
    assert.equal(socket.errors().length, 1);
    assert.equal(socket.errors()[0]?.message, '[replaced] a newer connection');
    assert.deepEqual(handler.calls.filter((call) => call !== 'setup 20000 /rsocket?x=1'), ['closed']);
    assert.equal(connection.phase, 'closed');
  });

  it('ends as a slow consumer when what waits in the socket passes the budget, whatever was written', async () => {
    const { connection, socket, handler } = await openAccepted();
    handler.onFrame = () => {
      socket.bufferedAmount += 600;
      handler.port.outbound.send(serializeFrame({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: 0, lastReceivedPosition: 0, data: null }));
    };
    connection.receive(requestN(1), true);
    assert.equal(connection.live, true, 'within the budget');
    connection.receive(requestN(1), true);
    assert.equal(connection.live, false);
    assert.match(socket.errors()[0]?.message ?? '', /^\[slow-consumer\] more than 1000 bytes waited/);
    assert.equal(socket.errors()[0]?.code, 0x101);
    assert.deepEqual(socket.closedWith, [1013, '[slow-consumer]']);
    const before = socket.sent.length;
    handler.port.outbound.send(serializeFrame({ type: FrameTypes.KEEPALIVE, streamId: 0, flags: 0, lastReceivedPosition: 0, data: null }));
    assert.equal(socket.sent.length, before, 'nothing is written once the socket is closing');
  });

  it('ends as a slow consumer when more notifications wait for credit than the budget allows', async () => {
    const { connection, socket, handler } = await openAccepted();
    handler.port.outbound.waitingChanged(10);
    assert.equal(connection.live, true);
    handler.port.outbound.waitingChanged(1);
    assert.match(socket.errors()[0]?.message ?? '', /^\[slow-consumer\] more than 10 notifications waited for credit/);
  });

  it('an unexpected error in the handler ends this connection as [internal], logged with its ids', async () => {
    const { connection, socket, handler } = await openAccepted();
    handler.onFrame = () => {
      throw new Error('boom in a handler');
    };
    connection.receive(requestN(1), true);
    assert.match(socket.errors()[0]?.message ?? '', /^\[internal\] /);
    assert.deepEqual(socket.closedWith, [1011, '[internal]']);
    const entry = logged.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.connectionId === 'c-1');
    assert.equal(entry?.userId, 'alice');
    assert.match(JSON.stringify(entry?.err), /boom in a handler/);
  });

  it('bounds the frames held before acceptance, and the frames per second', () => {
    const held = open();
    held.connection.receive(SETUP, true);
    for (let i = 0; i < 4; i += 1) held.connection.receive(requestN(1), true);
    assert.match(held.socket.errors()[0]?.message ?? '', /^\[invalid-request\] more than 3 frames or 65536 bytes before the SETUP was accepted/);
    const heavy = open({ maxFramesBeforeAccept: 100 });
    heavy.connection.receive(SETUP, true);
    const big = serializeFrame({ type: FrameTypes.REQUEST_FNF, streamId: 1, flags: 0, data: Buffer.alloc(16_000), metadata: null });
    for (let i = 0; i < 5; i += 1) heavy.connection.receive(big, true);
    assert.match(heavy.socket.errors()[0]?.message ?? '', /^\[invalid-request\] more than 100 frames or 65536 bytes/, 'five 16 kB frames pass 64 KiB');
    const flood = open();
    for (let i = 0; i < 51; i += 1) flood.connection.receive(requestN(1), true);
    assert.match(flood.socket.errors()[0]?.message ?? '', /^\[invalid-setup\]/, 'the first frame already failed');
    const accepted = open({ maxFramesPerSecond: 5, maxFramesBeforeAccept: 100 });
    accepted.connection.receive(SETUP, true);
    for (let i = 0; i < 5; i += 1) accepted.connection.receive(requestN(1), true);
    assert.match(accepted.socket.errors()[0]?.message ?? '', /^\[invalid-request\] more than 5 frames in one second/);
  });

  it('a malformed frame before SETUP is INVALID_SETUP, after it CONNECTION_ERROR [invalid-request]', async () => {
    const before = open();
    before.connection.receive(Buffer.from([1, 2, 3]), true);
    assert.deepEqual([before.socket.errors()[0]?.code, before.socket.closedWith?.[0]], [0x1, 1002]);
    const after = open();
    after.connection.receive(SETUP, true);
    after.handler.decide.accept({ userId: 'alice' });
    await settle();
    after.connection.receive(Buffer.from('text'), false);
    assert.deepEqual([after.socket.errors()[0]?.code, after.socket.closedWith?.[0]], [0x101, 1002]);
    assert.match(after.socket.errors()[0]?.message ?? '', /^\[invalid-request\] text messages are not RSocket frames/);
  });
});
