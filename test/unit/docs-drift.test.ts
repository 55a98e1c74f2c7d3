import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { REST_ERROR_CODES } from '@notification-transport/contract';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('documentation matches the code', () => {
  it('the README configuration table lists every variable the service reads', () => {
    const config = read('transport-service/src/config/config.ts') + read('transport-service/src/config/env-readers.ts');
    const read_ = new Set([...config.matchAll(/\(env, '([A-Z_]+)'/g), ...config.matchAll(/env\.([A-Z_]+)/g)].map((m) => m[1] as string));
    const table = new Set([...read('README.md').matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1] as string));
    const missing = [...read_].filter((name) => !table.has(name));
    assert.deepEqual(missing, [], 'variables read by config.ts but missing from the README table');
    assert.ok(read_.size >= 20, `found ${read_.size} variables`);
  });

  it('the OpenAPI error codes are exactly the contract package\'s', () => {
    const openapi = read('docs/openapi.yaml');
    const enumText = /code:\s*\n\s*type: string\s*\n\s*enum: \[([^\]]+)\]/.exec(openapi)?.[1] ?? '';
    const documented = enumText.split(',').map((code) => code.trim()).filter(Boolean);
    assert.deepEqual([...documented].sort(), [...REST_ERROR_CODES].sort());
  });
});
