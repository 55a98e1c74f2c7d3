import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import noImportCycle from '../../scripts/eslint/no-import-cycle.mjs';

/** Lints a little source tree with only the cycle rule and returns each file's messages. */
async function lint(files: Record<string, string>): Promise<Record<string, string[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'no-import-cycle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { local: { rules: { 'no-import-cycle': noImportCycle } } },
        rules: { 'local/no-import-cycle': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['**/*.ts']);
  return Object.fromEntries(results.map((result) => [result.filePath.slice(dir.length + 1), result.messages.map((message) => message.message)]));
}

describe('lint rule local/no-import-cycle', () => {
  it('reports both ends of a cycle made only of type imports, with the chain', async () => {
    const messages = await lint({
      'a.ts': "import type { B } from './b.js';\nexport interface A { b: B }\n",
      'b.ts': "import type { A } from './a.js';\nexport interface B { a: A }\n",
      'c.ts': "import type { A } from './a.js';\nexport type C = A;\n",
    });
    assert.deepEqual(messages['a.ts'], ["import cycle: a.ts → b.ts → a.ts (via './b.js')"]);
    assert.deepEqual(messages['b.ts'], ["import cycle: b.ts → a.ts → b.ts (via './a.js')"]);
    assert.deepEqual(messages['c.ts'], [], 'importing into a cycle is not itself a cycle');
  });

  it('finds a longer cycle through folders and re-exports, and leaves an acyclic tree alone', async () => {
    const messages = await lint({
      'x/one.ts': "import { two } from '../y/two.js';\nexport const one = two;\n",
      'y/two.ts': "export { three as two } from './three.js';\n",
      'y/three.ts': "import { one } from '../x/one.js';\nexport const three = () => one;\n",
      'z/leaf.ts': "import { two } from '../y/two.js';\nexport const leaf = two;\n",
    });
    assert.deepEqual(messages['x/one.ts'], ["import cycle: x/one.ts → y/two.ts → y/three.ts → x/one.ts (via '../y/two.js')"]);
    assert.equal(messages['y/three.ts']?.length, 1);
    assert.deepEqual(messages['z/leaf.ts'], []);
    const acyclic = await lint({ 'p.ts': "import { q } from './q.js';\nexport const p = q;\n", 'q.ts': 'export const q = 1;\n' });
    assert.deepEqual(acyclic, { 'p.ts': [], 'q.ts': [] });
  });
});
