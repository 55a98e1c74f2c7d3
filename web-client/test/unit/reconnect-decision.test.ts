import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REASONS, type Reason } from '@notification-transport/contract';
import type { ClientReason } from '../../src/client-reason.js';
import { reconnectDecision } from '../../src/reconnect-decision.js';

const EXPECTED: Record<Reason, 'reconnect' | 'refresh-token' | 'stay-down'> = {
  'invalid-setup': 'stay-down',
  bounds: 'stay-down',
  auth: 'stay-down',
  'token-expired': 'refresh-token',
  'connection-limit': 'stay-down',
  replaced: 'stay-down',
  'slow-consumer': 'reconnect',
  'too-large': 'stay-down',
  draining: 'reconnect',
  'invalid-request': 'stay-down',
  internal: 'reconnect',
};

describe('reconnectDecision', () => {
  it('follows the contract for every reason token', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), [...REASONS].sort(), 'the table covers every token');
    for (const reason of REASONS) assert.equal(reconnectDecision(reason, false), EXPECTED[reason], reason);
  });

  it('grants the token refresh once, then stays down on a second [token-expired]', () => {
    assert.equal(reconnectDecision('token-expired', false), 'refresh-token');
    assert.equal(reconnectDecision('token-expired', true), 'stay-down');
    for (const reason of REASONS.filter((r) => r !== 'token-expired')) {
      assert.equal(reconnectDecision(reason, true), EXPECTED[reason], `${reason} ignores the refresh flag`);
    }
  });

  it('reconnects after endings without a token and stays down only after close()', () => {
    const own: Array<[ClientReason, string]> = [
      ['connection-lost', 'reconnect'],
      ['session-timeout', 'reconnect'],
      ['protocol-error', 'reconnect'],
      ['token-unavailable', 'reconnect'],
      ['closed', 'stay-down'],
      ['not-started', 'stay-down'],
    ];
    for (const [reason, advice] of own) assert.equal(reconnectDecision(reason, false), advice, reason);
  });
});
