#!/usr/bin/env node
import { parseCliOptions, readCliDefaults, type CliCommand } from './cli-options.js';
import { EXIT_CODES } from './exit-codes.js';
import { sendNotifications } from './send-notifications.js';
import { exitCodeFor } from './send-summary.js';
import { USAGE } from './usage.js';
import { UsageError } from './usage-error.js';

// The CLI's edge: the one place it reads the environment.
const defaults = readCliDefaults(process.env);

function parse(argv: readonly string[]): CliCommand | undefined {
  try {
    return parseCliOptions(argv, defaults);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`initiator-mock: ${err.message}\n\n${USAGE}`);
    return undefined;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parse(argv);
  if (command === undefined) return EXIT_CODES.usage;
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return EXIT_CODES.ok;
  }
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const note = (line: string): void => void process.stderr.write(`initiator-mock: ${line}\n`);
  const summary = await sendNotifications(command.options, print, note);
  return exitCodeFor(summary);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`initiator-mock: ${String(err instanceof Error ? (err.stack ?? err.message) : err)}\n`);
    process.exitCode = EXIT_CODES.failed;
  },
);
