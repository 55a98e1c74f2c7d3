#!/usr/bin/env node
// Runs the workspaces' *.test.ts files with node's test runner, tier by tier (Node 20 expands no globs itself).
//
//   node scripts/run-tests.mjs                 every tier: unit, then integration, then e2e
//   node scripts/run-tests.mjs unit            one tier: unit | integration | e2e
//   node scripts/run-tests.mjs unit web-client only the files whose path contains "web-client"
//   node scripts/run-tests.mjs e2e --test-name-pattern=nginx   arguments starting with -- go to node --test
//
// A test's tier is the directory it sits in under a package's test/ folder:
//   unit/         no processes, no sockets: pure logic, in-memory twins, fakes of the platform
//   integration/  real sockets on port 0, real Redis processes, one service instance, spawned CLIs
//   e2e/          several instances, nginx, headless Chromium
// A test file in none of them fails the run, so every test is in exactly one tier.
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const TIERS = ['unit', 'integration', 'e2e'];
const ROOTS = ['contract/test', 'transport-service/test', 'initiator-sdk/test', 'initiator-mock/test', 'web-client/test', 'test'];

const args = process.argv.slice(2);
const nodeArgs = args.filter((arg) => arg.startsWith('--'));
const words = args.filter((arg) => !arg.startsWith('--'));
const tiers = TIERS.includes(words[0]) ? [words.shift()] : TIERS;
const filters = words;

const files = ROOTS.flatMap((root) => {
  try {
    return readdirSync(root, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.test.ts') && !name.includes('node_modules'))
      .map((name) => join(root, name));
  } catch {
    return [];
  }
});
const tierOf = (file) => file.split(sep).find((part) => TIERS.includes(part));
const unplaced = files.filter((file) => tierOf(file) === undefined);
if (unplaced.length > 0) {
  console.error(`run-tests: these test files are in no tier directory (${TIERS.join(', ')}):\n  ${unplaced.join('\n  ')}`);
  process.exit(1);
}

let failed = false;
for (const tier of tiers) {
  const selected = files.filter((file) => tierOf(file) === tier && filters.every((filter) => file.includes(filter))).sort();
  if (selected.length === 0) {
    if (filters.length > 0) continue;
    console.error(`run-tests: no ${tier} test files found`);
    process.exit(1);
  }
  console.log(`\n# ${tier} tests (${selected.length} files)\n`);
  const guard = tier === 'unit' ? ['--import', './scripts/unit-tier-guard.mjs'] : [];
  const result = spawnSync(process.execPath, ['--import', 'tsx', ...guard, '--test', '--test-reporter=spec', ...nodeArgs, ...selected], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
