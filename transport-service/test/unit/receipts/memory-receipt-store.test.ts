import { MemoryBroker } from '../../../src/broker/memory-broker.js';
import { MemoryReceiptStore } from '../../../src/receipts/memory-receipt-store.js';
import { describeReceiptStoreContract } from '../../support/receipt-store-contract.js';

describeReceiptStoreContract('MemoryReceiptStore', (listener, settings) => {
  const store = new MemoryReceiptStore(settings);
  const broker = new MemoryBroker(listener, { maxLen: 10, idempotencyTtlSeconds: 86_400 }, Date.now, store);
  return Promise.resolve({ broker, store });
});
