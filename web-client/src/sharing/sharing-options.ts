import { ClientOptionsError, type NotificationClientOptions } from '../client-options.js';
import type { BroadcastChannelConstructor, TabLocks } from './tab-platform.js';

/** Options of tab sharing, on top of the client's own. */
export interface SharingOptions {
  /**
   * Share one connection among this origin's tabs that connect to the same URL as the same user (default `true`);
   * `false` gives this tab a connection of its own.
   */
  shareAcrossTabs?: boolean;
  /** Web Locks (default `navigator.locks`); injected by tests. */
  locks?: TabLocks;
  /** BroadcastChannel constructor (default the global one); injected by tests. */
  BroadcastChannel?: BroadcastChannelConstructor;
}

/** What `getNotificationClient()` takes: the client's options and the sharing ones. */
export type SharedClientOptions = NotificationClientOptions & SharingOptions;

/** Splits the sharing options from the connection's, validating `shareAcrossTabs`. */
export function splitSharingOptions(options: SharedClientOptions): { sharing: Required<Pick<SharingOptions, 'shareAcrossTabs'>> & SharingOptions; connection: NotificationClientOptions } {
  const { shareAcrossTabs, locks, BroadcastChannel, ...connection } = options;
  if (shareAcrossTabs !== undefined && typeof shareAcrossTabs !== 'boolean') {
    throw new ClientOptionsError('shareAcrossTabs', `must be true or false, got ${JSON.stringify(shareAcrossTabs)}`);
  }
  return { sharing: { shareAcrossTabs: shareAcrossTabs ?? true, locks, BroadcastChannel }, connection };
}
