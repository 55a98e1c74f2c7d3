/** Receives the client's debug lines (state transitions, decoded frames); called only while debugging is on. */
export type DebugLogger = (message: string, detail?: unknown) => void;

/**
 * Logs to the console at the "info" level, which DevTools shows by default (its "Verbose" level, where
 * `console.debug` goes, is hidden until someone turns it on), prefixed so the lines are easy to filter.
 */
export const consoleInfoLogger: DebugLogger = (message, detail) => {
  // The one place the client writes to the console, and only while debugging is on (option or switch).
  // eslint-disable-next-line no-console
  if (detail === undefined) console.info(`[notification-client] ${message}`);
  // eslint-disable-next-line no-console
  else console.info(`[notification-client] ${message}`, detail);
};
