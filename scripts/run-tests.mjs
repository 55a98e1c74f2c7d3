#!/usr/bin/env node
// Runs every *.test.ts of the workspaces with node's test runner (Node 20 expands no globs itself).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['contract/test', 'transport-service/test', 'initiator-mock/test', 'web-client/test', 'test'];
const files = roots.flatMap((root) => {
  try {
    return readdirSync(root, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.test.ts') && !name.includes('node_modules'))
      .map((name) => join(root, name));
  } catch {
    return [];
  }
});
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const extra = process.argv.slice(2);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files.sort()], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
