import { parseArgs } from 'node:util';
import { SEND_LIMITS } from '@notification-transport/contract';
import {
  parseApiKey,
  parseInteger,
  parseKey,
  parsePayload,
  parseType,
  parseUrl,
  parseUsers,
} from './option-values.js';
import { SEND_DEFAULTS, type SendOptions } from './send-options.js';
import { UsageError } from './usage-error.js';

/** Values the CLI entry reads from the environment and hands to the parser. */
export interface CliDefaults {
  /** Used when `--api-key` is absent (`INITIATOR_API_KEY`, {@link readCliDefaults}). */
  apiKey?: string;
}

/** The defaults in the environment the CLI's entry hands over: `INITIATOR_API_KEY` (empty counts as unset). */
export function readCliDefaults(env: NodeJS.ProcessEnv): CliDefaults {
  return { apiKey: env.INITIATOR_API_KEY || undefined };
}

/** What the command line asks for: the help text, or a run with these options. */
export type CliCommand = { kind: 'help' } | { kind: 'send'; options: SendOptions };

const OPTIONS = {
  url: { type: 'string', multiple: true },
  user: { type: 'string', multiple: true },
  type: { type: 'string' },
  payload: { type: 'string' },
  count: { type: 'string' },
  key: { type: 'string' },
  'api-key': { type: 'string' },
  ttl: { type: 'string' },
  attempts: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Most attempts per send the command line accepts. */
const MAX_ATTEMPTS = 100;

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** Parses `argv` (without the node and script paths); throws {@link UsageError} naming the bad option. */
export function parseCliOptions(argv: readonly string[], defaults: CliDefaults = {}): CliCommand {
  const values = parseArgv(argv);
  if (values.help === true) return { kind: 'help' };
  return { kind: 'send', options: toSendOptions(values, defaults) };
}

function parseArgv(argv: readonly string[]): ParsedValues {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
}

function toSendOptions(values: ParsedValues, defaults: CliDefaults): SendOptions {
  const count = values.count === undefined ? SEND_DEFAULTS.count : parseInteger('--count', values.count, 1);
  const options: SendOptions = {
    urls: (values.url ?? [SEND_DEFAULTS.url]).map(parseUrl),
    users: parseUsers(values.user ?? []),
    type: parseType(values.type ?? SEND_DEFAULTS.type),
    payload: values.payload === undefined ? SEND_DEFAULTS.payload : parsePayload(values.payload),
    count,
    attempts: values.attempts === undefined ? SEND_DEFAULTS.attempts : parseInteger('--attempts', values.attempts, 1, MAX_ATTEMPTS),
  };
  if (values.key !== undefined) options.key = parseKey(values.key, count);
  const apiKey = values['api-key'] ?? defaults.apiKey;
  if (apiKey !== undefined) options.apiKey = parseApiKey(apiKey);
  if (values.ttl !== undefined) options.ttlSeconds = parseInteger('--ttl', values.ttl, 0, SEND_LIMITS.maxTtlSeconds);
  return options;
}
