// ESLint rule `local/no-import-cycle`: no module may reach itself through relative imports — type-only imports
// included, because a type cycle ties two files' designs together as surely as a value cycle does (and the
// popular no-cycle rules skip type imports). Cross-package imports cannot cycle: TypeScript project references
// refuse circular references between the workspaces.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Relative imports of each file read so far, with the mtime they were read at (editors keep ESLint running). */
const importsOf = new Map();

function resolveImport(from, specifier) {
  const target = resolve(dirname(from), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), target, `${target}.ts`, `${target}/index.ts`]) {
    if (candidate.endsWith('.ts') || candidate.endsWith('.mts') || candidate.endsWith('.mjs') || candidate.endsWith('.js')) {
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The relative imports of `file` (static, type-only, re-exports and dynamic), read by TypeScript's own scanner. */
function edges(file) {
  const mtime = statSync(file).mtimeMs;
  const cached = importsOf.get(file);
  if (cached && cached.mtime === mtime) return cached.found;
  const found = [];
  for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
    if (!fileName.startsWith('./') && !fileName.startsWith('../')) continue;
    const target = resolveImport(file, fileName);
    if (target) found.push({ specifier: fileName, target });
  }
  importsOf.set(file, { mtime, found });
  return found;
}

/** The shortest chain of imports from `start` back to `goal`, or undefined when there is none. */
function pathBack(start, goal) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const { target } of edges(file)) {
      if (target === goal) {
        const chain = [goal, file];
        for (let step = previous.get(file); step !== undefined; step = previous.get(step)) chain.push(step);
        return chain.reverse();
      }
      if (!previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  return undefined;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import cycles between modules, type-only imports included' },
    messages: { cycle: 'import cycle: {{chain}}' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    return {
      Program(program) {
        if (!/\.(m?ts|m?js)$/.test(file) || !existsSync(file)) return;
        const root = context.cwd;
        for (const { specifier, target } of edges(file)) {
          const chain = pathBack(target, file);
          if (!chain) continue;
          const declaration = program.body.find((node) => node.source?.value === specifier);
          context.report({
            ...(declaration ? { node: declaration } : { loc: { line: 1, column: 0 } }),
            messageId: 'cycle',
            data: { chain: [file, ...chain].map((step) => relative(root, step)).join(' → ') + ` (via '${specifier}')` },
          });
        }
      },
    };
  },
};
