import { connect, type Socket } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');
/** Idle connections are closed after this long, before the servers' 5 s keep-alive timeout can close one under a request. */
const IDLE_MS = 3_500;

/** Bytes on the wire, both ways, over all of a client's connections (HTTP heads and bodies). */
export interface WireBytes {
  sent: number;
  received: number;
}

interface Pending {
  resolve: (status: number) => void;
  reject: (error: Error) => void;
}

/** One keep-alive HTTP/1.1 connection carrying one request at a time. */
class Connection {
  lastUsed = 0;
  closed = false;
  private pending: Pending | undefined;
  private buffered: Buffer | undefined;

  constructor(
    readonly socket: Socket,
    private readonly bytes: WireBytes,
    private readonly onClosed: (connection: Connection) => void,
    private readonly onIdle: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.bytes.received += chunk.length;
      this.read(chunk);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.pending?.reject(new Error('the server closed the connection before answering'));
      this.pending = undefined;
      this.onClosed(this);
    });
  }

  send(request: string, pending: Pending): void {
    this.pending = pending;
    this.bytes.sent += request.length;
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Reads one response: the status line, then a body of Content-Length bytes or chunks up to the last one. */
  private read(chunk: Buffer): void {
    const data = this.buffered === undefined ? chunk : Buffer.concat([this.buffered, chunk]);
    const headerEnd = data.indexOf(HEADER_END);
    if (headerEnd === -1) {
      this.buffered = data;
      return;
    }
    const head = data.toString('latin1', 0, headerEnd).toLowerCase();
    const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
    const bodyStart = headerEnd + HEADER_END.length;
    let complete: boolean;
    if (length !== undefined) complete = data.length >= bodyStart + Number(length);
    else if (head.includes('\r\ntransfer-encoding: chunked')) complete = data.indexOf(CHUNKED_END, bodyStart) !== -1;
    else complete = true;
    if (!complete) {
      this.buffered = data;
      return;
    }
    this.buffered = undefined;
    const status = Number(data.toString('latin1', 9, 12));
    const pending = this.pending;
    this.pending = undefined;
    if (head.includes('\r\nconnection: close')) this.close();
    else this.onIdle(this);
    pending?.resolve(status);
  }
}

/**
 * A lean POST client for the load generator: keep-alive HTTP/1.1 connections to one server, at most `maxSockets`,
 * most recently used first; a request waits for a free connection beyond that (the wait counts in its latency). Far
 * cheaper per request than node:http's agent, ClientRequest and IncomingMessage, which took most of the generator's
 * CPU. Answers only the status; the servers answer with Content-Length (chunked bodies are read to their end too).
 */
export class RawHttpClient {
  /** What went over this client's connections so far. */
  readonly bytes: WireBytes = { sent: 0, received: 0 };
  private readonly idle: Connection[] = [];
  private readonly waiting: Array<(connection: Connection) => void> = [];
  private open = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxSockets: number,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(), 500);
    this.sweeper.unref();
  }

  /** POSTs `body` (ASCII JSON) to `path`; resolves with the status, rejects when the connection fails. */
  post(path: string, body: string): Promise<number> {
    const request = `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    return new Promise((resolve, reject) => {
      const connection = this.idle.pop();
      if (connection !== undefined) {
        connection.send(request, { resolve, reject });
      } else if (this.open < this.maxSockets) {
        this.connect().send(request, { resolve, reject });
      } else {
        this.waiting.push((free) => free.send(request, { resolve, reject }));
      }
    });
  }

  destroy(): void {
    clearInterval(this.sweeper);
    for (const connection of this.idle.splice(0)) connection.close();
  }

  private connect(): Connection {
    this.open += 1;
    return new Connection(
      connect(this.port, this.host),
      this.bytes,
      (closed) => {
        this.open -= 1;
        const at = this.idle.indexOf(closed);
        if (at !== -1) this.idle.splice(at, 1);
        // A request waiting for a connection gets a new one in place of the closed one.
        const next = this.waiting.shift();
        if (next !== undefined) next(this.connect());
      },
      (free) => {
        const next = this.waiting.shift();
        if (next !== undefined) {
          next(free);
        } else {
          free.lastUsed = performance.now();
          this.idle.push(free);
        }
      },
    );
  }

  private closeIdle(): void {
    const stale = performance.now() - IDLE_MS;
    // The least recently used are at the bottom of the stack.
    while (this.idle.length > 0 && (this.idle[0]?.lastUsed ?? Infinity) < stale) this.idle.shift()?.close();
  }
}
