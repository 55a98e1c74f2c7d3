import { SEND_DEFAULTS } from './send-options.js';

/** The `--help` text. */
export const USAGE = `Usage: initiator-mock --user <id>[,<id>...] [options]

Sends notifications to POST /api/v1/notifications and prints each answer.

Options:
  --url <url>         service base URL (default ${SEND_DEFAULTS.url})
  --user <id>         recipient; repeat it or separate ids with commas (one user: userId, several: userIds)
  --type <type>       notification type (default ${SEND_DEFAULTS.type})
  --payload <json>    payload as JSON text (default ${JSON.stringify(SEND_DEFAULTS.payload)})
  --count <n>         send n requests one after another (default ${SEND_DEFAULTS.count})
  --key <key>         Idempotency-Key header; with --count > 1 request i uses <key>-<i>
  --api-key <key>     sent as Authorization: Bearer <key> (default: env INITIATOR_API_KEY)
  --ttl <seconds>     ttlSeconds, 0-86400 (0: live delivery only)
  -h, --help          print this text

Exit codes: 0 every request got 2xx, 1 any request failed, 2 bad usage.
`;
