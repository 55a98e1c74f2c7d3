import type { SendNotificationResponse } from '@notification-transport/contract';
import { parseServiceError, type SendAttempt, type SendProblem, type ServiceError } from './send-error.js';

/** How one attempt ended, and whether another attempt may change that. */
export type AttemptOutcome =
  | { kind: 'accepted'; record: SendAttempt; body: SendNotificationResponse }
  /** A 5xx or no answer: safe to retry with the same Idempotency-Key. */
  | { kind: 'retry'; record: SendAttempt; serviceError?: ServiceError }
  /** An answer no retry changes: a 4xx, or something that is not the contract's. */
  | { kind: 'final'; record: SendAttempt; problem: SendProblem; serviceError?: ServiceError; detail: string };

function acceptedBody(text: string): SendNotificationResponse | undefined {
  try {
    const value = JSON.parse(text) as Partial<SendNotificationResponse> | null;
    return Array.isArray(value?.notifications) ? (value as SendNotificationResponse) : undefined;
  } catch {
    return undefined;
  }
}

function describeAnswer(status: number, serviceError: ServiceError | undefined, text: string): string {
  if (serviceError !== undefined) return `${status} ${serviceError.code}: ${serviceError.message}`;
  const excerpt = text.trim().slice(0, 200);
  return excerpt.length === 0 ? String(status) : `${status} ${excerpt}`;
}

/**
 * Classifies one answer: 2xx with the contract's body is accepted; 5xx is retried (the Idempotency-Key makes a
 * retry deliver at most once, also when the failed attempt did commit); 4xx is final and never retried (the same
 * request would be refused again); anything else is final.
 */
export function classifyAnswer(url: string, status: number, text: string): AttemptOutcome {
  const record: SendAttempt = { url, status };
  const serviceError = parseServiceError(text);
  if (status >= 500) return serviceError === undefined ? { kind: 'retry', record } : { kind: 'retry', record, serviceError };
  const detail = describeAnswer(status, serviceError, text);
  if (status >= 400) return { kind: 'final', record, problem: 'rejected', detail, ...(serviceError && { serviceError }) };
  const body = status >= 200 && status < 300 ? acceptedBody(text) : undefined;
  if (body !== undefined) return { kind: 'accepted', record, body };
  return { kind: 'final', record, problem: 'unexpected-response', detail: `${detail} (expected 202 with {"notifications": [...]})` };
}
