import { EXIT_CODES } from './exit-codes.js';
import type { SendOutcome } from './send-outcome.js';

/** Totals of a run: requests sent, answered with 2xx, and failed (non-2xx or no answer). */
export interface SendSummary {
  sent: number;
  accepted: number;
  failed: number;
  /** Every request's outcome, in sending order. */
  outcomes: SendOutcome[];
}

/** The closing line of a run: `sent N, accepted A, failed F`. */
export function formatSummary(summary: SendSummary): string {
  return `sent ${summary.sent}, accepted ${summary.accepted}, failed ${summary.failed}`;
}

/** The CLI's exit code for a finished run: 0 when every request got a 2xx, 1 otherwise. */
export function exitCodeFor(summary: SendSummary): number {
  return summary.failed === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}
