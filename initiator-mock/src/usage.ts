import { SEND_DEFAULTS } from './send-options.js';

/** The `--help` text. */
export const USAGE = `Usage: initiator-mock --user <id>[,<id>...] [options]

Sends notifications to POST /api/v1/notifications with the initiator SDK and prints each answer.
Each send carries an Idempotency-Key and retries 5xx answers and network errors with backoff.

Options:
  --url <url>         service base URL (default ${SEND_DEFAULTS.url}); repeat it to retry on the next one
  --user <id>         recipient; repeat it or separate ids with commas (one user: userId, several: userIds)
  --type <type>       notification type (default ${SEND_DEFAULTS.type})
  --payload <json>    payload as JSON text (default ${JSON.stringify(SEND_DEFAULTS.payload)})
  --count <n>         send n notifications one after another (default ${SEND_DEFAULTS.count})
  --attempts <n>      attempts per send, 1-100; 1 turns retrying off (default ${SEND_DEFAULTS.attempts})
  --key <key>         Idempotency-Key; with --count > 1 send i uses <key>-<i> (default: a random key per send)
  --api-key <key>     sent as Authorization: Bearer <key> (default: env INITIATOR_API_KEY)
  --ttl <seconds>     ttlSeconds, 0-86400 (0: live delivery only)
  -h, --help          print this text

Exit codes: 0 every send was accepted, 1 any send failed, 2 bad usage.
`;
