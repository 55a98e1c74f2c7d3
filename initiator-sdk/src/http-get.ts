import type { HttpAnswer, HttpRequest } from './http-post.js';

/** One GET as the client sends it: a request without a body. */
export type HttpGetRequest = Omit<HttpRequest, 'body'>;

/** Sends one GET and resolves with whatever status came back; rejects only when no answer came. Tests inject their own. */
export type HttpGet = (request: HttpGetRequest) => Promise<HttpAnswer>;

/** {@link HttpGet} over the platform's `fetch`, with the timeout as an abort signal. */
export const fetchGet: HttpGet = async ({ url, headers, timeoutMs }) => {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
};
