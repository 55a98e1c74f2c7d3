import { randomUUID } from 'node:crypto';
import {
  IDEMPOTENCY_KEY_PATTERN,
  RECEIPT_LIMITS,
  receiptPath,
  REST_PATHS,
  type NotificationId,
  type ReceiptView,
  type ReceiptWaitFor,
  type SendNotificationRequest,
  type SendNotificationResponse,
} from '@notification-transport/contract';
import { classifyAnswer, type AttemptOutcome } from './attempt-outcome.js';
import { fullJitterDelay } from './full-jitter-delay.js';
import { describeNetworkError, type HttpAnswer } from './http-post.js';
import { resolveInitiatorOptions, type InitiatorOptions, type ResolvedInitiatorOptions } from './initiator-options.js';
import { ReceiptError } from './receipt-error.js';
import { parseServiceError, SendError, type SendAttempt } from './send-error.js';

/** Per-send options. */
export interface SendOptions {
  /**
   * The send's `Idempotency-Key` (1–200 printable ASCII characters). Default: a new random UUID per send. Pass your
   * own (e.g. `order-42-shipped`) to make a send you repeat later, after a crash, deliver at most once.
   */
  idempotencyKey?: string;
}

/** How a receipt query waits: until the state is at least `waitFor` (or `expired`), at most `timeoutMs` (≤ 30,000). */
export interface ReceiptOptions {
  waitFor?: ReceiptWaitFor;
  timeoutMs?: number;
}

/**
 * Sends notifications to the transport service's REST API for a Node backend. One `send()` is one logical send:
 * every attempt carries the same `Idempotency-Key`, 5xx answers and network errors are retried with full-jitter
 * backoff, moving to the next base URL each time, and a 4xx is never retried. It resolves with the 202 body or
 * rejects with a {@link SendError} naming the problem.
 */
export class InitiatorClient {
  private readonly options: ResolvedInitiatorOptions;
  /** Index of the base URL that answered last: the next send starts there. */
  private preferred = 0;

  /** Validates `options`, throwing `InitiatorOptionsError` naming the first bad one. */
  constructor(options: InitiatorOptions) {
    this.options = resolveInitiatorOptions(options);
  }

  /** The base URLs in use, normalized (no trailing slash). */
  get baseUrls(): readonly string[] {
    return this.options.baseUrls;
  }

  /** Sends one notification; resolves with the 202 body (one entry per distinct user, in request order). */
  async send<P>(notification: SendNotificationRequest<P>, options: SendOptions = {}): Promise<SendNotificationResponse> {
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    const body = serialize(notification, idempotencyKey);
    const attempts: SendAttempt[] = [];
    const { maxAttempts, baseUrls } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      const index = this.baseIndex(attempt);
      const outcome = await this.attempt(baseUrls[index] ?? '', idempotencyKey, body);
      attempts.push(outcome.record);
      if (outcome.kind === 'accepted') {
        this.preferred = index;
        return outcome.body;
      }
      if (outcome.kind === 'final') throw finalError(outcome, idempotencyKey, attempts);
      if (attempt >= maxAttempts) throw exhaustedError(outcome, idempotencyKey, attempts);
      await this.pause(attempt, outcome, baseUrls[this.baseIndex(attempt + 1)] ?? '', idempotencyKey);
    }
  }

  /**
   * The receipt of a notification this key sent with `receipt: true`, or `undefined` when there is none (404: no
   * receipt asked, another key's, unknown or no longer kept). With `waitFor`, the service answers as soon as the
   * state is at least that (or `expired`), else after `timeoutMs` with the current state. A 5xx or no answer moves
   * to the next base URL (a read is safe to repeat), up to `maxAttempts`; anything else rejects with a
   * {@link ReceiptError}.
   */
  async receipt(userId: string, id: NotificationId, options: ReceiptOptions = {}): Promise<ReceiptView | undefined> {
    const query = new URLSearchParams();
    if (options.waitFor !== undefined) query.set('waitFor', options.waitFor);
    if (options.timeoutMs !== undefined) query.set('timeoutMs', String(options.timeoutMs));
    const path = receiptPath(userId, id) + (query.size > 0 ? `?${query.toString()}` : '');
    const headers = this.authorization({});
    // The service may hold the answer for the whole wait (30 s when waitFor comes without timeoutMs).
    const timeoutMs = this.options.timeoutMs + (options.waitFor === undefined ? 0 : (options.timeoutMs ?? RECEIPT_LIMITS.maxWaitMs));
    const { maxAttempts } = this.options;
    let last = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const url = (this.options.baseUrls[this.baseIndex(attempt)] ?? '') + path;
      let answer: HttpAnswer | undefined;
      try {
        answer = await this.options.get({ url, headers, timeoutMs });
      } catch (error) {
        last = `${describeNetworkError(error, timeoutMs)} (${url})`;
      }
      if (answer?.status === 200) return parseReceipt(answer.body, url);
      if (answer?.status === 404) return undefined;
      if (answer) {
        const serviceError = parseServiceError(answer.body);
        if (answer.status < 500) {
          throw new ReceiptError(`the service refused the receipt query (${answer.status}${serviceError ? ` ${serviceError.code}: ${serviceError.message}` : ''})`, { status: answer.status, ...(serviceError && { serviceError }) });
        }
        last = `${answer.status}${serviceError ? ` ${serviceError.code}` : ''} from ${url}`;
      }
      if (attempt < maxAttempts) await this.options.sleep(this.backoffDelay(attempt));
    }
    throw new ReceiptError(`no receipt answer after ${maxAttempts} attempts; last: ${last}`, {});
  }

  /** Which base URL a call's `attempt`-th try (from 1) goes to: the one that answered last, then the next in turn. */
  private baseIndex(attempt: number): number {
    return (this.preferred + attempt - 1) % this.options.baseUrls.length;
  }

  /** `headers` with the bearer API key, when there is one. */
  private authorization(headers: Record<string, string>): Record<string, string> {
    if (this.options.apiKey !== undefined) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  private backoffDelay(attempt: number): number {
    const { backoff, random } = this.options;
    return fullJitterDelay(attempt, backoff.baseMs, backoff.maxMs, random);
  }

  private async attempt(baseUrl: string, idempotencyKey: string, body: string): Promise<AttemptOutcome> {
    const url = baseUrl + REST_PATHS.notifications;
    const headers = this.authorization({ 'content-type': 'application/json', 'idempotency-key': idempotencyKey });
    const { timeoutMs } = this.options;
    try {
      const answer = await this.options.post({ url, headers, body, timeoutMs });
      return classifyAnswer(url, answer.status, answer.body);
    } catch (error) {
      return { kind: 'retry', record: { url, error: describeNetworkError(error, timeoutMs) } };
    }
  }

  private async pause(attempt: number, failed: AttemptOutcome, nextBaseUrl: string, idempotencyKey: string): Promise<void> {
    const delayMs = this.backoffDelay(attempt);
    const { url, status, error } = failed.record;
    const nextUrl = nextBaseUrl + REST_PATHS.notifications;
    this.options.onRetry({ attempt, url, delayMs, nextUrl, idempotencyKey, ...(status !== undefined && { status }), ...(error !== undefined && { error }) });
    await this.options.sleep(delayMs);
  }
}

/** A 200's body as a receipt: a body that is not one is the service's fault, not the network's, and not retried. */
function parseReceipt(body: string, url: string): ReceiptView {
  let receipt: unknown;
  try {
    receipt = JSON.parse(body);
  } catch {
    receipt = undefined;
  }
  const record = receipt as Partial<ReceiptView> | null | undefined;
  if (typeof record !== 'object' || record === null || typeof record.state !== 'string' || typeof record.id !== 'string') {
    throw new ReceiptError(`unexpected answer from ${url}: 200 with a body that is not a receipt (${JSON.stringify(body.slice(0, 80))})`, { status: 200 });
  }
  return record as ReceiptView;
}

function serialize(notification: unknown, idempotencyKey: string): string {
  const invalid = (message: string, cause?: unknown): SendError =>
    new SendError(`notification not sent: ${message}`, { problem: 'invalid-notification', idempotencyKey, attempts: [] }, { cause });
  if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) throw invalid('idempotencyKey must be 1-200 printable ASCII characters');
  try {
    return JSON.stringify(notification);
  } catch (error) {
    throw invalid(`it is not JSON-serializable (${error instanceof Error ? error.message : String(error)})`, error);
  }
}

function finalError(outcome: Extract<AttemptOutcome, { kind: 'final' }>, idempotencyKey: string, attempts: SendAttempt[]): SendError {
  const advice = outcome.problem === 'rejected' ? ' (a 4xx is never retried: fix the request)' : '';
  const message = `${outcome.problem === 'rejected' ? 'the service refused the notification' : 'unexpected answer'} from ${outcome.record.url}: ${outcome.detail}${advice}`;
  return new SendError(message, { problem: outcome.problem, idempotencyKey, attempts, status: outcome.record.status, ...(outcome.serviceError && { serviceError: outcome.serviceError }) });
}

function exhaustedError(last: Extract<AttemptOutcome, { kind: 'retry' }>, idempotencyKey: string, attempts: SendAttempt[]): SendError {
  const urls = [...new Set(attempts.map((attempt) => attempt.url))].join(', ');
  const what = last.record.error ?? `${last.record.status ?? ''}${last.serviceError ? ` ${last.serviceError.code}: ${last.serviceError.message}` : ''}`;
  const problem = last.record.error === undefined ? 'unavailable' : 'unreachable';
  const lead = problem === 'unavailable' ? 'the service stayed unavailable' : 'no answer from the service';
  const message = `${lead} after ${attempts.length} attempts (${urls}); last: ${what}. Sending again later with Idempotency-Key ${JSON.stringify(idempotencyKey)} delivers at most once`;
  return new SendError(message, { problem, idempotencyKey, attempts, status: last.record.status, ...(last.serviceError && { serviceError: last.serviceError }) });
}
