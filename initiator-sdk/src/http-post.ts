/** One POST as the client sends it. */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Give up on the answer after this many ms; the promise then rejects like a network error. */
  timeoutMs: number;
}

/** The service's answer: any status, with the body as text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * Sends one request and resolves with whatever status came back; rejects only when no answer came (refused,
 * reset, DNS, timeout). The default is {@link fetchPost}; tests inject their own.
 */
export type HttpPost = (request: HttpRequest) => Promise<HttpAnswer>;

/** {@link HttpPost} over the platform's `fetch`, with the timeout as an abort signal. */
export const fetchPost: HttpPost = async ({ url, headers, body, timeoutMs }) => {
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
};

/**
 * What failed, from the error a request rejected with: undici wraps the socket error as `cause` ("fetch failed"
 * alone says nothing), dual-stack connects wrap several in an AggregateError, and a timeout is a `TimeoutError`.
 */
export function describeNetworkError(error: unknown, timeoutMs?: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return timeoutMs === undefined ? 'no answer in time' : `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return cause.errors.map((inner) => describeError(inner)).join('; ');
  }
  return describeError(cause ?? error);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return error.message || (typeof code === 'string' ? code : '') || error.name;
}
