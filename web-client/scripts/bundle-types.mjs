#!/usr/bin/env node
// Writes dist/index.d.ts: the package's public types in one file, with the contract's types inlined (the package
// has no dependency on the contract package) and rxjs's imported (a peer dependency). Only what index.ts exports is
// in it, so nothing reaches rsocket-js's types or Node's Buffer: an app type-checks it with `types: []` and
// `skipLibCheck: false`. Usage: bundle-types.mjs [outdir].
import { generateDtsBundle } from 'dts-bundle-generator';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'dist'));
// Names the declarations must never mention: an app without Node's types or rsocket-js would fail on them.
const FORBIDDEN = [/\bBuffer\b/, /rsocket-/, /@notification-transport\//, /reference types="node"/];

const [types] = generateDtsBundle(
  [
    {
      filePath: join(root, 'src/index.ts'),
      libraries: { inlinedLibraries: ['@notification-transport/contract'] },
      output: { noBanner: true, exportReferencedTypes: false },
    },
  ],
  { preferredConfigPath: join(root, 'tsconfig.json') },
);
const found = FORBIDDEN.filter((pattern) => pattern.test(types));
if (found.length > 0) {
  process.stderr.write(`bundle-types: the public types mention ${found.join(', ')}; keep them out of what index.ts exports\n`);
  process.exit(1);
}
mkdirSync(outdir, { recursive: true });
writeFileSync(join(outdir, 'index.d.ts'), types);
process.stdout.write(`${join(outdir, 'index.d.ts')}: ${(types.length / 1024).toFixed(1)} KiB\n`);
