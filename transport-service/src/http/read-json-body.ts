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

/** Collects the body; rejects with 413 the moment it passes the limit, keeping nothing more. */
function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      reject(new PayloadTooLargeError(limit));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onCut = (): void => {
      cleanup();
      reject(new InvalidJsonError('the body ended before it was complete (connection closed)'));
    };
    const cleanup = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onCut).off('close', onCut);
    };
    req.on('data', onData).on('end', onEnd).on('error', onCut).on('close', onCut);
  });
}
