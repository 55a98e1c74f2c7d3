/** How one request ended: the service answered (any status), or no answer came (connect, DNS, reset...). */
export type SendOutcome =
  | { kind: 'answered'; status: number; ok: boolean; body: unknown }
  | { kind: 'unreachable'; error: string };

/**
 * The line printed for one request: `<status> <compact JSON body>`, or `error <what failed>`.
 * A body that is not JSON is printed as a JSON string so the line stays one line.
 */
export function formatOutcome(outcome: SendOutcome): string {
  if (outcome.kind === 'unreachable') return `error ${outcome.error}`;
  return outcome.body === undefined ? String(outcome.status) : `${outcome.status} ${JSON.stringify(outcome.body)}`;
}

/** Whether the request counts as accepted: the service answered with a 2xx status. */
export function isAccepted(outcome: SendOutcome): boolean {
  return outcome.kind === 'answered' && outcome.ok;
}
