import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ReceiptView } from '@notification-transport/contract';
import WebSocket from 'ws';
import { startService, type RunningService } from '../../../test/support/service.js';
import { waitFor } from '../../../test/support/wait-for.js';
import type { WebSocketConstructor } from '../../src/client-options.js';
import { NotificationClient } from '../../src/notification-client.js';

const clients: NotificationClient[] = [];
after(() => clients.forEach((client) => client.close()));

async function receipt(service: RunningService, userId: string, id: string, waitFor?: 'delivered' | 'read'): Promise<{ status: number; body: ReceiptView }> {
  const query = waitFor === undefined ? '' : `?waitFor=${waitFor}&timeoutMs=15000`;
  const response = await fetch(`${service.baseUrl}/api/v1/notifications/${userId}/${id}/receipt${query}`);
  return { status: response.status, body: (await response.json()) as ReceiptView };
}

describe('web client receipts against a real in-process transport-service', () => {
  it('confirms delivered by itself, sends markRead, and sends nothing for a notification without a receipt', async () => {
    const service = await startService();
    const lines: string[] = [];
    const client = new NotificationClient({ url: service.wsUrl, userId: 'rita', WebSocket: WebSocket as unknown as WebSocketConstructor, debug: true, logger: (line) => lines.push(line) });
    clients.push(client);
    client.connect();
    await waitFor(() => client.state.state === 'connected', 'connected');

    const plain = await service.send({ userId: 'rita', type: 'plain.test', payload: {} });
    const sent = await service.send({ userId: 'rita', type: 'receipt.test', payload: {}, receipt: true });
    assert.equal(sent.status, 202);
    const id = sent.body.notifications[0]!.id;
    const delivered = await receipt(service, 'rita', id, 'delivered');
    assert.equal(delivered.body.state, 'delivered');
    assert.equal(client.lastEventId, id);

    client.markRead(id);
    const read = await receipt(service, 'rita', id, 'read');
    assert.equal(read.body.state, 'read');
    assert.equal((await receipt(service, 'rita', plain.body.notifications[0]!.id)).status, 404);
    const confirmations = lines.filter((line) => line.startsWith('-> REQUEST_FNF'));
    assert.equal(confirmations.length, 2, confirmations.join('\n'));
    assert.match(confirmations[0]!, new RegExp(`route=receipt data=\\{"delivered":\\["${id}"\\]\\}$`));
    assert.match(confirmations[1]!, new RegExp(`route=receipt data=\\{"read":\\["${id}"\\]\\}$`));
    assert.equal(lines.filter((line) => line.startsWith('<- ERROR')).length, 0, 'the server took both');
  });
});
