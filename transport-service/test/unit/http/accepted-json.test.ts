import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SendNotificationResponse } from '@notification-transport/contract';
import { acceptedJson } from '../../../src/http/send-notification-handler.js';

describe('acceptedJson', () => {
  it('is byte for byte JSON.stringify of the 202 body, whatever the user ids hold', () => {
    const userIds = ['u', 'user-42', 'a"quote', 'back\\slash', 'ünïcödé ✓', 'emoji 🎉', 'tab\there', '\u2028line sep', 'lone \ud800', '\udc00 lone', 'x'.repeat(256)];
    const bodies: SendNotificationResponse[] = [
      { notifications: [] },
      { notifications: [{ userId: 'u', id: '1796000000000-0', online: true }] },
      { notifications: userIds.map((userId, i) => ({ userId, id: `17960000000${i}-${i * 3}`, online: i % 2 === 0 })) },
    ];
    for (const body of bodies) assert.equal(acceptedJson(body), JSON.stringify(body));
  });
});
