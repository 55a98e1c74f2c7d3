import type { SetupData } from '@notification-transport/contract';
import { RSocketEndError } from '../errors/transport-error.js';

/** SETUP data as the contract's `{"userId"?, "token"?}`; empty data is `{}`. Anything else is INVALID_SETUP. */
export function parseSetupData(data: Buffer | null | undefined): SetupData {
  if (!data || data.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw invalid('SETUP data must be JSON (application/json)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('SETUP data must be a JSON object');
  const { userId, token } = parsed as Record<string, unknown>;
  if (userId !== undefined && typeof userId !== 'string') throw invalid('SETUP data "userId" must be a string');
  if (token !== undefined && typeof token !== 'string') throw invalid('SETUP data "token" must be a string');
  return { userId, token };
}

function invalid(message: string): RSocketEndError {
  return new RSocketEndError('invalid-setup', message);
}
