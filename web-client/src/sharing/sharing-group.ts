/** Version of the messages tabs exchange; part of every group's name, so tabs running other versions never mix. */
export const TAB_PROTOCOL_VERSION = 1;

/** Who a tab connects as, as far as the client can tell before the server verifies it. */
export interface TabIdentity {
  /** Development identity mode: the `userId` option. */
  userId?: string;
  /** JWT mode: the token's `sub`, read without verification. */
  sub?: string;
}

/**
 * The name of the lock and the channel of the tabs that may share one connection: same protocol version, same URL
 * list, same user. Same-origin only by construction (Web Locks and BroadcastChannel are scoped to the origin).
 */
export function sharingGroupName(urls: readonly string[], identity: TabIdentity): string {
  const key = JSON.stringify([urls, identity.userId ?? null, identity.sub ?? null]);
  return `notification-transport/v${TAB_PROTOCOL_VERSION} ${key}`;
}
