import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RestErrorBody, SendNotificationResponse } from '@notification-transport/contract';

/** One request as the test server received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the test server answers: a JSON body, a raw text body, or nothing. */
export interface Answer {
  status: number;
  json?: unknown;
  text?: string;
}

/** Picks the answer to request `index` (0-based, in arrival order). */
export type Responder = (request: RecordedRequest, index: number) => Answer;

/** A real `node:http` server on port 0 that records every request it gets. */
export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  /** Most requests that were ever waiting for their answer at the same time. */
  maxInFlight: number;
  close(): Promise<void>;
}

/** Starts a recording server; each answer is held for `answerDelayMs` so overlapping requests would show. */
export async function startRecordingServer(respond: Responder, answerDelayMs = 0): Promise<RecordingServer> {
  let inFlight = 0;
  const state: RecordingServer = { url: '', requests: [], maxInFlight: 0, close };
  const server = createServer((req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    void record(req).then((request) => {
      const answer = respond(request, state.requests.push(request) - 1);
      setTimeout(() => {
        inFlight--;
        writeAnswer(res, answer);
      }, answerDelayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  async function close(): Promise<void> {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
  return state;
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  return { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
}

function writeAnswer(res: ServerResponse, answer: Answer): void {
  if (answer.json !== undefined) {
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
  } else {
    res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text ?? '');
  }
}

/** A `202` answer as the contract shapes it: one entry per user, ids increasing with `index`. */
export function accepted(users: readonly string[], index: number): Answer {
  const json: SendNotificationResponse = {
    notifications: users.map((userId) => ({ userId, id: `1732380000000-${index}`, online: true })),
  };
  return { status: 202, json };
}

/** An error answer as the contract shapes it. */
export function rejected(status: number, code: RestErrorBody['error']['code'], message: string): Answer {
  const json: RestErrorBody = { error: { code, message } };
  return { status, json };
}

/** A base URL nothing listens on: a port that was just bound and released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}
