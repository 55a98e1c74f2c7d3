import { reconnectAdvice, type ReconnectAdvice } from '@notification-transport/contract';
import { isContractReason, type ClientReason } from './client-reason.js';

/**
 * What to do after a connection ended: the contract's {@link reconnectAdvice} for its reason tokens, with two client
 * rules on top. `refresh-token` is granted once; a second `[token-expired]` before a connection succeeded again means
 * the token provider cannot help, so the client stays down. Endings without a token (network drops, keepalive
 * timeouts, a missing `session` answer, a failing token provider) reconnect; only `close()` stays down.
 */
export function reconnectDecision(reason: ClientReason, tokenRefreshUsed: boolean): ReconnectAdvice {
  if (isContractReason(reason)) {
    const advice = reconnectAdvice(reason);
    return advice === 'refresh-token' && tokenRefreshUsed ? 'stay-down' : advice;
  }
  return reason === 'closed' || reason === 'not-started' ? 'stay-down' : 'reconnect';
}
