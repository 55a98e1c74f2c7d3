import { REASONS, type Reason } from '@notification-transport/contract';

/** Why the client left a state: a contract reason token from the server, or one the client itself observed. */
export type ClientReason =
  | Reason
  /** Never connected yet (the initial state). */
  | 'not-started'
  /** The page called `close()`. */
  | 'closed'
  /** The socket dropped or failed without a reason token (network, proxy, keepalive timeout). */
  | 'connection-lost'
  /** The `session` route did not answer within `connectTimeout`. */
  | 'session-timeout'
  /** The server answered something the contract does not allow (e.g. a malformed `session` answer). */
  | 'protocol-error'
  /** The token provider threw or returned something that is not a non-empty string. */
  | 'token-unavailable'
  /** Tabs sharing one connection: the tab that held it closed, navigated away or crashed; another tab takes over. */
  | 'leader-left';

const CONTRACT_REASONS: ReadonlySet<string> = new Set(REASONS);

/** Whether `reason` is one of the contract's reason tokens (as opposed to one the client observed itself). */
export function isContractReason(reason: ClientReason): reason is Reason {
  return CONTRACT_REASONS.has(reason);
}
