import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import noImportCycle from './scripts/eslint/no-import-cycle.mjs';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs', 'scripts/eslint/*.mjs', 'scripts/eslint/*.d.mts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-function': 'off',
      'no-console': 'error',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // rsocket-core types frame fields as numbers next to numeric enums; comparing them is the protocol.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // No module reaches itself through relative imports, type-only ones included.
    files: ['**/*.ts'],
    plugins: { local: { rules: { 'no-import-cycle': noImportCycle } } },
    rules: { 'local/no-import-cycle': 'error' },
  },
  {
    // The browser client runs in pages and workers: browser globals, not Node's (Buffer comes from the bundler).
    files: ['web-client/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The demo page's script runs in the browser as a plain ES module.
    files: ['transport-service/demo/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read indexed results defensively and build frames loosely on purpose.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['it', 'describe', 'test'] }] }],
    },
  },
  {
    files: ['**/*.d.ts'],
    rules: { '@typescript-eslint/no-extraneous-class': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    files: ['scripts/**', '**/cli.ts', '*.js'],
    rules: { 'no-console': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.d.mts'], ...tseslint.configs.disableTypeChecked },
);
