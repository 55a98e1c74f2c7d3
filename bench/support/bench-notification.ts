/**
 * The one place the side-by-side bench builds a POST body: a notification for user `t-<user>` whose payload carries
 * its number, its user and when the bench issued it (what DeliveryTracker reads back). A request for a delivery
 * receipt would be asked for here, once the product accepts one.
 */
export function notificationBody(n: number, user: number, issuedAt: number): string {
  return `{"userId":"t-${user}","type":"bench","payload":{"n":${n},"u":${user},"t":${issuedAt}}}`;
}
