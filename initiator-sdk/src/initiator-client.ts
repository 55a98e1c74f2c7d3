import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_KEY_PATTERN, REST_PATHS, type SendNotificationRequest, type SendNotificationResponse } from '@notification-transport/contract';
import { classifyAnswer, type AttemptOutcome } from './attempt-outcome.js';
import { fullJitterDelay } from './full-jitter-delay.js';
import { describeNetworkError } from './http-post.js';
import { resolveInitiatorOptions, type InitiatorOptions, type ResolvedInitiatorOptions } from './initiator-options.js';
import { SendError, type SendAttempt } from './send-error.js';

/** Per-send options. */
export interface SendOptions {
  /**
   * The send's `Idempotency-Key` (1–200 printable ASCII characters). Default: a new random UUID per send. Pass your
   * own (e.g. `order-42-shipped`) to make a send you repeat later, after a crash, deliver at most once.
   */
  idempotencyKey?: string;
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
      const index = (this.preferred + attempt - 1) % baseUrls.length;
      const outcome = await this.attempt(baseUrls[index] ?? '', idempotencyKey, body);
      attempts.push(outcome.record);
      if (outcome.kind === 'accepted') {
        this.preferred = index;
        return outcome.body;
      }
      if (outcome.kind === 'final') throw finalError(outcome, idempotencyKey, attempts);
      if (attempt >= maxAttempts) throw exhaustedError(outcome, idempotencyKey, attempts);
      await this.pause(attempt, outcome, baseUrls[(index + 1) % baseUrls.length] ?? '', idempotencyKey);
    }
  }

  private async attempt(baseUrl: string, idempotencyKey: string, body: string): Promise<AttemptOutcome> {
    const url = baseUrl + REST_PATHS.notifications;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
    if (this.options.apiKey !== undefined) headers.authorization = `Bearer ${this.options.apiKey}`;
    const { timeoutMs } = this.options;
    try {
      const answer = await this.options.post({ url, headers, body, timeoutMs });
      return classifyAnswer(url, answer.status, answer.body);
    } catch (error) {
      return { kind: 'retry', record: { url, error: describeNetworkError(error, timeoutMs) } };
    }
  }

  private async pause(attempt: number, failed: AttemptOutcome, nextBaseUrl: string, idempotencyKey: string): Promise<void> {
    const { backoff, random } = this.options;
    const delayMs = fullJitterDelay(attempt, backoff.baseMs, backoff.maxMs, random);
    const { url, status, error } = failed.record;
    const nextUrl = nextBaseUrl + REST_PATHS.notifications;
    this.options.onRetry({ attempt, url, delayMs, nextUrl, idempotencyKey, ...(status !== undefined && { status }), ...(error !== undefined && { error }) });
    await this.options.sleep(delayMs);
  }
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
