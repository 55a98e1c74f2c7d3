import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { RSocketConnector, RSocketServer, type Payload } from 'rsocket-core';
import { WebsocketClientTransport } from 'rsocket-websocket-client';
import WebSocket from 'ws';
import { WebSocketServerTransport } from '../../../src/rsocket/websocket-server-transport.js';

/** The transport on `/rsocket` of `server` with generous limits, logging to `logger`. */
function transportOn(server: Server, logger: Logger): WebSocketServerTransport {
  return new WebSocketServerTransport({
    server,
    path: '/rsocket',
    maxFrameBytes: 65_536,
    maxDataBytes: 16_384,
    maxFramesPerSecond: 1_000,
    setupTimeoutMs: 5_000,
    logger,
  });
}

describe('WebSocketServerTransport', () => {
  it('honours rsocket-core\'s ServerTransport contract: RSocketServer serves a 1.0 client over it', async () => {
    const http = createServer();
    const transport = transportOn(http, pino({ level: 'silent' }));
    const server = new RSocketServer({
      transport,
      acceptor: {
        accept: (setup) => Promise.resolve({
          requestResponse: (payload: Payload, responder) => {
            responder.onNext({ data: Buffer.from(`${setup.data?.toString() ?? ''}:${payload.data?.toString() ?? ''}`) }, true);
            return { cancel: () => {}, onExtension: () => {} };
          },
        }),
      },
    });
    const closeable = await server.bind();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    after(() => {
      closeable.close();
      http.close();
    });
    const { port } = http.address() as AddressInfo;

    const rsocket = await new RSocketConnector({
      setup: { keepAlive: 10_000, lifetime: 30_000, payload: { data: Buffer.from('hello') } },
      transport: new WebsocketClientTransport({
        url: `ws://127.0.0.1:${port}/rsocket`,
        wsCreator: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
      }),
    }).connect();
    const answer = await new Promise<string>((resolve, reject) => {
      rsocket.requestResponse({ data: Buffer.from('world') }, {
        onNext: (payload) => resolve(payload.data?.toString() ?? ''),
        onError: reject,
        onComplete: () => {},
        onExtension: () => {},
      });
    });
    rsocket.close();
    assert.equal(answer, 'hello:world');
  });
});

describe('WebSocketServerTransport safety net', () => {
  it('an unexpected error in one connection\'s handling is logged with its ids and ends that connection only', async () => {
    const { FrameTypes, serializeFrame, deserializeFrame, Flags } = await import('rsocket-core');
    const lines: string[] = [];
    const http = createServer();
    const transport = transportOn(http, pino({ level: 'error' }, { write: (line: string) => void lines.push(line) }));
    let n = 0;
    const closeable = await transport.bind(
      () => Promise.resolve(),
      (_frame, outbound) => {
        const connectionId = `c-${++n}`;
        Object.assign(outbound, { connectionId, userId: `user-${n}` });
        return {
          handle: (frame: { type: number }) => {
            if (frame.type === FrameTypes.REQUEST_FNF) throw new Error('boom in a handler');
          },
          close: () => {},
          connectionOutbound: outbound,
          createRequestStream: () => {},
          connectionInbound: () => {},
          handleRequestStream: () => {},
        };
      },
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    after(() => {
      closeable.close();
      http.close();
    });
    const { port } = http.address() as AddressInfo;
    const open = async (): Promise<{ ws: WebSocket; frames: Array<{ type: number; message?: string }>; closed: Promise<number> }> => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/rsocket`);
      const frames: Array<{ type: number; message?: string }> = [];
      ws.on('message', (data: Buffer) => frames.push(deserializeFrame(data) as { type: number; message?: string }));
      const closed = new Promise<number>((resolve) => ws.on('close', resolve));
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(serializeFrame({ type: FrameTypes.SETUP, streamId: 0, flags: Flags.NONE, majorVersion: 1, minorVersion: 0, keepAlive: 10_000, lifetime: 30_000, dataMimeType: 'application/json', metadataMimeType: 'message/x.rsocket.composite-metadata.v0', resumeToken: null, data: null, metadata: null }));
      return { ws, frames, closed };
    };
    const victim = await open();
    const bystander = await open();
    victim.ws.send(serializeFrame({ type: FrameTypes.REQUEST_FNF, streamId: 1, flags: Flags.NONE, data: null, metadata: null }));
    await victim.closed;
    assert.match(victim.frames.find((f) => f.type === FrameTypes.ERROR)?.message ?? '', /^\[internal\] /);
    assert.equal(bystander.ws.readyState, WebSocket.OPEN, 'the other connection is untouched');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.connectionId === 'c-1');
    assert.equal(logged?.userId, 'user-1');
    assert.match(JSON.stringify(logged?.err), /boom in a handler/);
    bystander.ws.close();
  });
});
