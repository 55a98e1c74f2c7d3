import type { SendNotificationResponse } from '@notification-transport/contract';

/** The outcome of one POST: the status and parsed body, or the network error. */
export interface PostOutcome {
  status: number;
  body: SendNotificationResponse & { error?: { code: string; message: string } };
}

/** POSTs one notification to an instance's base URL; rejects only on network failure. */
export async function postNotification(baseUrl: string, body: unknown, idempotencyKey?: string): Promise<PostOutcome> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  const response = await fetch(`${baseUrl}/api/v1/notifications`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as PostOutcome['body'] };
}

/**
 * What a careful initiator does: POST to one of the live instances, and on a network error or a 5xx retry on
 * another with the same Idempotency-Key until it gets an answer that is not a failure. Returns that answer and
 * how many attempts failed.
 */
export async function postWithRetry(
  liveUrls: () => string[],
  body: unknown,
  idempotencyKey: string,
  maxAttempts = 50,
): Promise<PostOutcome & { failedAttempts: number }> {
  let failedAttempts = 0;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const urls = liveUrls();
    const url = urls[Math.floor(Math.random() * urls.length)];
    if (url === undefined) throw new Error('no live instance to POST to');
    try {
      const outcome = await postNotification(url, body, idempotencyKey);
      if (outcome.status < 500) return { ...outcome, failedAttempts };
    } catch {
      // The instance died mid-request: the same key on another instance completes it exactly once.
    }
    failedAttempts += 1;
    await new Promise((resolve) => setTimeout(resolve, 20 * Math.min(attempt + 1, 10)));
  }
  throw new Error(`no success after ${maxAttempts} attempts`);
}
