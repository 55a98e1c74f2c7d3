import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { receiptPath, type ReceiptView, type SendNotificationResponse } from '@notification-transport/contract';
import { onCleanup } from './cleanup.js';

/** An answer of the REST API: status and parsed JSON body. */
export interface RestAnswer<T> {
  status: number;
  body: T & { error?: { code: string; message: string } };
}

/** POSTs a notification with an initiator key. */
export async function sendWithKey(baseUrl: string, key: string, body: unknown): Promise<RestAnswer<SendNotificationResponse>> {
  const response = await fetch(`${baseUrl}/api/v1/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as RestAnswer<SendNotificationResponse>['body'] };
}

/** GETs a receipt with an initiator key, with an optional query (`?waitFor=…`). */
export async function getReceipt(baseUrl: string, key: string, userId: string, id: string, query = ''): Promise<RestAnswer<ReceiptView>> {
  const response = await fetch(`${baseUrl}${receiptPath(userId, id)}${query}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as RestAnswer<ReceiptView>['body'] };
}

/** One POST the webhook receiver got. */
export interface ReceivedHook {
  body: string;
  signature: string | undefined;
  /** The status it was answered with. */
  status: number;
}

/** A webhook receiver on a free loopback port that records every POST and answers 204, or 503 while `down`. */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  down = false;
  /** Where it listens. */
  url = '';

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    const server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const status = receiver.down ? 503 : 204;
        receiver.received.push({ body, signature: request.headers['x-receipt-signature'] as string | undefined, status });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/receipts`;
    return receiver;
  }

  /** The POSTs answered 2xx. */
  get accepted(): ReceivedHook[] {
    return this.received.filter((hook) => hook.status < 300);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
