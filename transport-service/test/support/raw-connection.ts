import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 response read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A bare TCP connection for requests `fetch` cannot express (chunked bodies that never end, malformed request
 * lines, lying Content-Length): write bytes, read responses in order.
 */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  /** Resolves when the server (or anything) closed the socket. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.push(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  /** Connects to 127.0.0.1:`port`. */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes raw bytes; returns false once the socket is gone. */
  write(data: string | Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(data);
    return true;
  }

  /** Half-closes: the server sees the end of the input once everything written is flushed. */
  end(): void {
    this.socket.end();
  }

  /** Destroys the socket. */
  destroy(): void {
    this.socket.destroy();
  }

  /** The next complete response (Content-Length framed, or up to the close when the server sent none). */
  async nextResponse(timeoutMs = 5_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = this.takeResponse();
      if (response !== undefined) return response;
      if (this.ended) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.buffer.toString())}`);
      if (!(await within(new Promise<void>((resolve) => (this.wake = resolve)), deadline - Date.now()))) {
        throw new Error(`no complete response within ${timeoutMs} ms`);
      }
    }
  }

  private push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake?.();
  }

  private takeResponse(): RawResponse | undefined {
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd === -1) return undefined;
    const [statusLine = '', ...lines] = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    const bodyEnd = length === undefined ? (this.ended ? this.buffer.length : -1) : headEnd + 4 + length;
    if (bodyEnd === -1 || this.buffer.length < bodyEnd) return undefined;
    const body = this.buffer.subarray(headEnd + 4, bodyEnd).toString('utf8');
    this.buffer = this.buffer.subarray(bodyEnd);
    return { status: Number(statusLine.split(' ')[1]), headers, body };
  }
}

/** Whether `promise` settled within `ms`; the timer never outlives the answer. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
