import { notificationRequest } from './notification-request.js';
import { postNotification } from './post-notification.js';
import type { SendOptions } from './send-options.js';
import { formatOutcome, isAccepted } from './send-outcome.js';
import { formatSummary, type SendSummary } from './send-summary.js';

/** Receives each output line, without the trailing newline. */
export type LineSink = (line: string) => void;

/**
 * Sends `options.count` requests one after another (each waits for the previous answer, so the service
 * sees them in order), prints one line per answer and then the summary line, and returns the summary.
 * A failed request does not stop the run; nothing is retried.
 */
export async function sendNotifications(options: SendOptions, print: LineSink): Promise<SendSummary> {
  const summary: SendSummary = { sent: 0, accepted: 0, failed: 0, outcomes: [] };
  for (let index = 1; index <= options.count; index++) {
    const outcome = await postNotification(notificationRequest(options, index));
    summary.sent++;
    if (isAccepted(outcome)) summary.accepted++;
    else summary.failed++;
    summary.outcomes.push(outcome);
    print(formatOutcome(outcome));
  }
  print(formatSummary(summary));
  return summary;
}
