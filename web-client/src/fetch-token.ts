import type { TokenProvider } from './client-options.js';

/** The token for one attempt, or why there is none: a provider that throws or returns no token never throws here. */
export type TokenOutcome = { ok: true; token: string | undefined } | { ok: false; problem: string };

/** Calls the token provider (when there is one) for a fresh token. */
export async function fetchToken(provider: TokenProvider | undefined): Promise<TokenOutcome> {
  if (provider === undefined) return { ok: true, token: undefined };
  try {
    const token = await provider();
    if (typeof token === 'string' && token !== '') return { ok: true, token };
    return { ok: false, problem: 'the token provider returned no token' };
  } catch (error) {
    return { ok: false, problem: `the token provider failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
