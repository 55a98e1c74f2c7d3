/** Receives the client's debug lines (state transitions, decoded frames); called only with `debug: true`. */
export type DebugLogger = (message: string, detail?: unknown) => void;

/** Logs to the DevTools console at the "verbose" level, prefixed so the lines are easy to filter. */
export const consoleDebugLogger: DebugLogger = (message, detail) => {
  // The one place the client writes to the console, and only when the page asked for `debug: true`.
  // eslint-disable-next-line no-console
  if (detail === undefined) console.debug(`[notification-client] ${message}`);
  // eslint-disable-next-line no-console
  else console.debug(`[notification-client] ${message}`, detail);
};
