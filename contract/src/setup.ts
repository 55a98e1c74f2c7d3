/** SETUP data in development identity mode; `token` is the JWT carrier in JWT mode. */
export interface SetupData {
  userId?: string;
  token?: string;
}

/** `session` route answer: how a client learns that its SETUP was accepted. */
export interface SessionInfo {
  userId: string;
  connectionId: string;
  instance: string;
  keepAlive: number;
  lifetime: number;
}

/**
 * Keepalive bounds every server accepts (the contract's minimum); a server may document wider ones.
 * `lifetime` must also be at least twice `keepAlive`.
 */
export const KEEPALIVE_BOUNDS = {
  minKeepAliveMs: 1_000,
  maxKeepAliveMs: 30_000,
  maxLifetimeMs: 300_000,
} as const;
