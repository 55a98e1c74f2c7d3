import { createHmac } from 'node:crypto';
import { RECEIPT_SIGNATURE_HEADER } from '@notification-transport/contract';
import type { Logger } from '../log/logger.js';
import type { ClaimedEvent, ReceiptStore } from './receipt-store.js';
import { retryDelayMs } from './retry-delay.js';

/** Where and how receipt events are POSTed. */
export interface ReceiptWebhookOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  maxRetryDelayMs: number;
  store: ReceiptStore;
  /** Counts each attempt by outcome. */
  attempted: (outcome: 'delivered' | 'failed') => void;
  logger: Logger;
}

/** The `X-Receipt-Signature` value of a body: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export function receiptSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs claimed receipt events to `RECEIPT_WEBHOOK_URL`, signed, each with its own timeout. A 2xx removes the event
 * for good; anything else (another status, a network error, the timeout) makes it due again after a backoff, so it
 * is delivered at least once. Never throws: failures are counted and logged.
 */
export class ReceiptWebhook {
  constructor(private readonly options: ReceiptWebhookOptions) {}

  async deliver(event: ClaimedEvent): Promise<void> {
    const { store, logger } = this.options;
    const ok = await this.post(event);
    this.options.attempted(ok ? 'delivered' : 'failed');
    try {
      if (ok) await store.acknowledge(event);
      else await store.retryLater(event, retryDelayMs(event.attempt, this.options.maxRetryDelayMs));
    } catch (error) {
      // The claim's lease runs out and the event is due again: at least once holds.
      logger.warn({ err: error, event: event.event }, 'could not record a webhook attempt; the event is retried when its claim lapses');
    }
  }

  private async post(event: ClaimedEvent): Promise<boolean> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [RECEIPT_SIGNATURE_HEADER]: receiptSignature(this.options.secret, event.body) },
        body: event.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return true;
      this.options.logger.debug({ event: event.event, status: response.status, attempt: event.attempt }, 'receipt webhook refused an event');
    } catch (error) {
      this.options.logger.debug({ err: error, event: event.event, attempt: event.attempt }, 'receipt webhook unreachable');
    }
    return false;
  }
}
