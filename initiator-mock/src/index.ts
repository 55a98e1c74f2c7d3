export { parseCliOptions, type CliCommand, type CliDefaults } from './cli-options.js';
export { EXIT_CODES } from './exit-codes.js';
export { idempotencyKeyFor, notificationBody } from './notification-request.js';
export { formatRetry, sendNotifications, type LineSink } from './send-notifications.js';
export { SEND_DEFAULTS, type SendOptions } from './send-options.js';
export { formatOutcome, isAccepted, type SendOutcome } from './send-outcome.js';
export { exitCodeFor, formatSummary, type SendSummary } from './send-summary.js';
export { USAGE } from './usage.js';
export { ERR_USAGE, UsageError } from './usage-error.js';
