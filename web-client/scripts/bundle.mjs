#!/usr/bin/env node
// Bundles the browser builds into dist/ (or the directory given as the only argument):
//   index.mjs          ES module for bundlers, the package's main entry. rxjs stays an import (a peer dependency, so
//                      the app's bundle holds one rxjs); rsocket-js, `buffer` and the contract are inside.
//   web-client.mjs     ES module for <script type="module"> without a bundler: everything inside, rxjs too.
//   web-client.iife.js classic script defining the one global `NotificationTransport`: everything inside.
// `buffer` is injected where rsocket-js uses Node's Buffer, never assigned to a global.
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
  sourcemap: true,
  legalComments: 'linked',
  inject: [join(root, 'scripts/buffer-shim.js')],
  logLevel: 'warning',
};

const outputs = [
  // Not minified: the app's bundler minifies, and readable code helps whoever steps through it.
  { ...common, format: 'esm', external: ['rxjs'], outfile: join(outdir, 'index.mjs') },
  { ...common, minify: true, format: 'esm', outfile: join(outdir, 'web-client.mjs') },
  { ...common, minify: true, format: 'iife', globalName: GLOBAL_NAME, outfile: join(outdir, 'web-client.iife.js') },
];
await Promise.all(outputs.map((options) => build(options)));
for (const { outfile } of outputs) {
  const bytes = readFileSync(outfile);
  process.stdout.write(`${outfile}: ${(bytes.length / 1024).toFixed(1)} KiB, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzipped\n`);
}
