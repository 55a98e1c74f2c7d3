import type { SendNotificationResponse } from '@notification-transport/contract';
import type { SendError } from '@notification-transport/initiator-sdk';

/** How one send ended: accepted with the service's 202 body, or failed with the SDK's error. */
export type SendOutcome = { kind: 'accepted'; body: SendNotificationResponse } | { kind: 'failed'; error: SendError };

/**
 * The line printed for one send: `202 <compact JSON body>`; for a failure the last status with the service's JSON
 * error (`400 {"error":{...}}`), the status alone when the answer carried none, or `error <what failed>` when no
 * answer came.
 */
export function formatOutcome(outcome: SendOutcome): string {
  if (outcome.kind === 'accepted') return `202 ${JSON.stringify(outcome.body)}`;
  const { status, serviceError, attempts, problem, message } = outcome.error;
  if (status !== undefined) return serviceError === undefined ? String(status) : `${status} ${JSON.stringify({ error: serviceError })}`;
  if (problem === 'unreachable') return `error ${attempts.at(-1)?.error ?? message}`;
  return `error ${message}`;
}

/** Whether the send counts as accepted. */
export function isAccepted(outcome: SendOutcome): boolean {
  return outcome.kind === 'accepted';
}
