import type { NotificationTypeMap } from './notification-types.js';
import { SharedNotificationClient } from './sharing/shared-notification-client.js';
import type { SharedClientOptions } from './sharing/sharing-options.js';

let instance: SharedNotificationClient | undefined;
let firstOptions: SharedClientOptions | undefined;

function differingKeys(first: SharedClientOptions, later: SharedClientOptions): string[] {
  const keys = new Set([...Object.keys(first), ...Object.keys(later)] as Array<keyof SharedClientOptions>);
  return [...keys].filter((key) => typeof later[key] !== 'function' && JSON.stringify(first[key]) !== JSON.stringify(later[key]));
}

/**
 * The page's one client, created and connected on the first call; every later call returns that same instance, so
 * every component shares one connection however often it asks. By default the page's tabs share it too (see
 * {@link SharedNotificationClient}; `shareAcrossTabs: false` opts out). Options of later calls are ignored (the first
 * call's win); when a non-function option differs (functions such as `token` are not compared: a new closure per
 * call is normal), `events$` carries an `options-ignored` event naming the keys. To start over with
 * other options (e.g. another user after a log-out), call {@link closeNotificationClient} first. The instance lives
 * in this module, never on `window`: a page that loads two copies of the bundle gets two clients.
 */
export function getNotificationClient<M extends NotificationTypeMap = NotificationTypeMap>(options?: SharedClientOptions): SharedNotificationClient<M> {
  if (instance === undefined || firstOptions === undefined) {
    if (options === undefined) throw new TypeError('getNotificationClient: the first call must pass the options');
    const created = new SharedNotificationClient(options);
    instance = created;
    firstOptions = options;
    created.connect();
    return created as unknown as SharedNotificationClient<M>;
  }
  const ignored = options === undefined ? [] : differingKeys(firstOptions, options);
  if (ignored.length > 0) instance.reportIgnoredOptions(ignored);
  return instance as unknown as SharedNotificationClient<M>;
}

/**
 * Closes the page's client and forgets it, so the next {@link getNotificationClient} creates a new one (e.g. for another
 * user, which puts this tab in that user's group). A tab that held the shared connection hands it over.
 */
export function closeNotificationClient(): void {
  instance?.close();
  instance = undefined;
  firstOptions = undefined;
}
