#!/usr/bin/env node
// The `initiator-mock` command. This launcher is committed (not built), so `npm ci` links the workspace's bin at
// once and `npx initiator-mock` always finds this package instead of looking the name up in the public registry.
// It runs the built CLI; before a build it says how to build instead of failing with a stack trace.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'initiator-mock is not built yet. From the repository root run\n' +
      '  npm run initiator-mock -- --user alice      (builds, then sends)\n' +
      'or build once with "npm run build" and run this command again.\n',
  );
  process.exit(2);
}
await import(cli.href);
