import { InitiatorClient, SendError, type RetryInfo } from '@notification-transport/initiator-sdk';
import { idempotencyKeyFor, notificationBody } from './notification-request.js';
import type { SendOptions } from './send-options.js';
import { formatOutcome, isAccepted, type SendOutcome } from './send-outcome.js';
import { formatSummary, type SendSummary } from './send-summary.js';

/** Receives each output line, without the trailing newline. */
export type LineSink = (line: string) => void;

/** The line reporting one retry, e.g. `retry 1/5 in 87 ms: 503 on http://…/api/v1/notifications, next http://…`. */
export function formatRetry(retry: RetryInfo, attempts: number): string {
  const failure = retry.status === undefined ? (retry.error ?? 'no answer') : String(retry.status);
  return `retry ${retry.attempt}/${attempts - 1} in ${retry.delayMs} ms: ${failure} on ${retry.url}, next ${retry.nextUrl}`;
}

/**
 * Sends `options.count` notifications one after another with the initiator SDK (each send waits for the previous
 * one, so the service sees them in order; each retries 5xx answers and network errors with the same
 * Idempotency-Key), prints one line per send and then the summary line, and returns the summary. Retries are
 * reported to `note`. A failed send does not stop the run.
 */
export async function sendNotifications(options: SendOptions, print: LineSink, note: LineSink = () => {}): Promise<SendSummary> {
  const client = new InitiatorClient({
    baseUrl: options.urls,
    maxAttempts: options.attempts,
    onRetry: (retry) => note(formatRetry(retry, options.attempts)),
    ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
  });
  const body = notificationBody(options);
  const summary: SendSummary = { sent: 0, accepted: 0, failed: 0, outcomes: [] };
  for (let index = 1; index <= options.count; index++) {
    const key = options.key === undefined ? undefined : idempotencyKeyFor(options.key, index, options.count);
    const outcome = await sendOne(client, body, key);
    summary.sent++;
    if (isAccepted(outcome)) summary.accepted++;
    else summary.failed++;
    summary.outcomes.push(outcome);
    print(formatOutcome(outcome));
  }
  print(formatSummary(summary));
  return summary;
}

async function sendOne(client: InitiatorClient, body: ReturnType<typeof notificationBody>, idempotencyKey: string | undefined): Promise<SendOutcome> {
  try {
    return { kind: 'accepted', body: await client.send(body, idempotencyKey === undefined ? {} : { idempotencyKey }) };
  } catch (error) {
    if (error instanceof SendError) return { kind: 'failed', error };
    throw error;
  }
}
