#!/usr/bin/env node
// Bundles the browser builds: dist/web-client.mjs (ESM) and dist/web-client.iife.js (a script defining the one
// global `NotificationTransport`). `buffer` is injected, not polyfilled on window. Usage: bundle.mjs [outdir].
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'dist'));
// The one global the script build defines.
const GLOBAL_NAME = 'NotificationTransport';

const common = {
  entryPoints: [join(root, 'src/index.ts')],
  bundle: true,
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  inject: [join(root, 'scripts/buffer-shim.js')],
  logLevel: 'warning',
};

const outputs = [
  { ...common, format: 'esm', outfile: join(outdir, 'web-client.mjs') },
  { ...common, format: 'iife', globalName: GLOBAL_NAME, outfile: join(outdir, 'web-client.iife.js') },
];
await Promise.all(outputs.map((options) => build(options)));
for (const { outfile } of outputs) {
  const bytes = readFileSync(outfile);
  process.stdout.write(`${outfile}: ${(bytes.length / 1024).toFixed(1)} KiB, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzipped\n`);
}
