import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { LOG_REDACT_PATHS } from '../../../src/log/logger.js';

describe('logger', () => {
  it('redacts token-bearing fields wherever they appear', () => {
    const lines: string[] = [];
    const logger = pino({ redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' } }, { write: (line: string) => void lines.push(line) });
    logger.info({ token: 'eyJ.secret.one', upgrade: { headers: { authorization: 'Bearer eyJ.secret.two', cookie: 'access_token=eyJ.secret.three' } }, setup: { token: 'eyJ.secret.four' } }, 'x');
    const output = lines.join('');
    assert.doesNotMatch(output, /secret/);
    assert.match(output, /\[redacted\]/);
  });
});
