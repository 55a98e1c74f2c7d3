import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flags, FrameTypes, type Frame } from 'rsocket-core';
import { setupRefusal } from '../../../src/rsocket/setup-validation.js';
import { setupFrame } from '../../../../test/support/raw-rsocket.js';

const limits = { maxLifetimeMs: 300_000 };
const setup = (overrides: Record<string, unknown> = {}): Frame => setupFrame('a', { flags: Flags.NONE, ...overrides });

describe('setupRefusal', () => {
  it('accepts a SETUP within the contract, at both ends of the keepalive bounds', () => {
    for (const [keepAlive, lifetime] of [[20_000, 90_000], [1_000, 2_000], [30_000, 300_000], [1_000, 300_000]]) {
      assert.equal(setupRefusal(setup({ keepAlive, lifetime }), limits), undefined, `${keepAlive}/${lifetime}`);
    }
  });

  it('refuses with the row of the table RSocket 1.0 asks for', () => {
    const cases: Array<[string, Frame, string, RegExp]> = [
      ['a first frame that is not SETUP', { type: FrameTypes.REQUEST_N, streamId: 1, flags: 0, requestN: 1 } as Frame, 'invalid-setup', /the first frame must be SETUP, got REQUEST_N/],
      ['SETUP on stream 1', setup({ streamId: 1 }), 'invalid-setup', /SETUP must be sent on stream 0, got 1/],
      ['RESUME on stream 3', { type: FrameTypes.RESUME, streamId: 3, flags: 0 } as unknown as Frame, 'invalid-setup', /RESUME must be sent on stream 0/],
      ['RESUME', { type: FrameTypes.RESUME, streamId: 0, flags: 0 } as unknown as Frame, 'resume-rejected', /resume is not supported/],
      ['version 2.0', setup({ majorVersion: 2 }), 'unsupported-setup', /version 2\.0 is not supported/],
      ['the resume flag', setup({ flags: Flags.RESUME_ENABLE, resumeToken: Buffer.from('t') }), 'resume-refused', /clear the resume flag/],
      ['the lease flag', setup({ flags: Flags.LEASE }), 'unsupported-setup', /clear the lease flag/],
      ['another data MIME type', setup({ dataMimeType: 'text/plain' }), 'unsupported-setup', /dataMimeType must be application\/json/],
      ['another metadata MIME type', setup({ metadataMimeType: 'application/json' }), 'unsupported-setup', /metadataMimeType must be/],
      ['keepAlive 999', setup({ keepAlive: 999, lifetime: 2_000 }), 'bounds', /keepAlive must be from 1000 to 30000 ms, got 999/],
      ['keepAlive 30001', setup({ keepAlive: 30_001, lifetime: 100_000 }), 'bounds', /keepAlive must be/],
      ['lifetime under 2 x keepAlive', setup({ keepAlive: 20_000, lifetime: 39_999 }), 'bounds', /lifetime must be from 2 x keepAlive \(40000\)/],
      ['lifetime over the maximum', setup({ lifetime: 300_001 }), 'bounds', /to 300000 ms, got 300001/],
    ];
    for (const [name, frame, ending, pattern] of cases) {
      const refusal = setupRefusal(frame, limits);
      assert.equal(refusal?.ending, ending, name);
      assert.match(refusal.detail, pattern, name);
    }
  });
});
