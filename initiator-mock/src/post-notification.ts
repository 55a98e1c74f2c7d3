import type { NotificationRequest } from './notification-request.js';
import type { SendOutcome } from './send-outcome.js';

/** Sends one request and waits for the whole answer; never throws, a failure to get an answer is an outcome. */
export async function postNotification(request: NotificationRequest): Promise<SendOutcome> {
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: JSON.stringify(request.body),
    });
    const body = parseBody(await response.text());
    return { kind: 'answered', status: response.status, ok: response.ok, body };
  } catch (err) {
    return { kind: 'unreachable', error: describeFetchError(err) };
  }
}

/** The body as JSON when it parses, the raw text when not, `undefined` when empty. */
function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * What failed, from the error `fetch` threw: undici wraps the socket error as `cause`
 * ("fetch failed" alone says nothing), and dual-stack connects wrap several in an AggregateError.
 */
export function describeFetchError(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return cause.errors.map((inner) => describeError(inner)).join('; ');
  }
  return describeError(cause ?? err);
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return err.message || code || err.name;
}
