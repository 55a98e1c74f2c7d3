/**
 * The one place the side-by-side bench builds a POST body: a notification for user `t-<user>` whose payload carries
 * its number, its user and when the bench issued it (what DeliveryTracker reads back); with `receipt`, it asks for a
 * delivery receipt.
 */
export function notificationBody(n: number, user: number, issuedAt: number, receipt = false): string {
  return `{"userId":"t-${user}","type":"bench","payload":{"n":${n},"u":${user},"t":${issuedAt}}${receipt ? ',"receipt":true' : ''}}`;
}
