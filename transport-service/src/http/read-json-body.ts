import type { IncomingMessage } from 'node:http';
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/transport-error.js';

/**
 * Reads and parses a JSON request body of at most `maxBodyBytes`: 415 unless the content type is
 * `application/json` (UTF-8), 413 as soon as the declared or received size passes the limit, 400 for an empty
 * or malformed body. What is left unread of a refused body is the error boundary's to drain.
 */
export async function readJsonBody(req: IncomingMessage, maxBodyBytes: number): Promise<unknown> {
  requireJsonContentType(req.headers['content-type']);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  const raw = await readRaw(req, maxBodyBytes);
  if (raw.length === 0) throw new InvalidJsonError('the body is empty');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new InvalidJsonError((err as Error).message);
  }
}

/** Accepts `application/json`, with parameters, case-insensitively; a charset other than UTF-8 is refused. */
function requireJsonContentType(header: string | undefined): void {
  if (header === 'application/json') return;
  const [mediaType = '', ...params] = (header ?? '').split(';');
  const ok =
    mediaType.trim().toLowerCase() === 'application/json' &&
    params.every((param) => {
      const [name = '', value = ''] = param.split('=');
      return name.trim().toLowerCase() !== 'charset' || /^"?utf-?8"?$/i.test(value.trim());
    });
  if (!ok) throw new UnsupportedMediaTypeError(header);
}

/**
 * Collects the body; rejects with 413 the moment it passes the limit, keeping nothing more. Once the body is complete
 * or cut the listeners stay and go with the request: what still comes ('close' follows every 'end') settles nothing
 * and builds no error.
 */
function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      // Refused: stop keeping what still comes (the error boundary drains it, bounded).
      settled = true;
      chunks.length = 0;
      req.off('data', onData);
      reject(new PayloadTooLargeError(limit));
    };
    const onCut = (): void => {
      if (settled) return;
      settled = true;
      reject(new InvalidJsonError('the body ended before it was complete (connection closed)'));
    };
    req
      .on('data', onData)
      .on('end', () => {
        if (settled) return;
        settled = true;
        const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
        // The listeners outlive the read (until the request ends): they must not keep the body alive with them.
        chunks.length = 0;
        resolve(body);
      })
      .on('error', onCut)
      .on('close', onCut);
  });
}
