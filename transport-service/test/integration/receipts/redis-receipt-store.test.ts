import { pino } from 'pino';
import { RedisBroker } from '../../../src/broker/redis-broker.js';
import { RedisTopology, type RedisEndpoint } from '../../../src/broker/redis-topology.js';
import { RedisReceiptStore } from '../../../src/receipts/redis-receipt-store.js';
import { RedisCluster } from '../../../../test/support/redis-cluster.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';
import { describeReceiptStoreContract, type ReceiptFactory } from '../../support/receipt-store-contract.js';

const logger = pino({ level: 'silent' });

function onRedis(endpoint: () => Promise<RedisEndpoint>): ReceiptFactory {
  return async (listener, settings) => {
    const topology = new RedisTopology(await endpoint(), 1_000);
    const history = { maxLen: 10, idempotencyTtlSeconds: 86_400 };
    const broker = new RedisBroker(listener, { topology, history, logger, receiptTtlSeconds: settings.ttlSeconds });
    const store = new RedisReceiptStore({ topology, settings, instanceId: 'contract', logger });
    await Promise.all([broker.connect(), store.connect()]);
    return { broker, store };
  };
}

describeReceiptStoreContract(
  'RedisReceiptStore on one Redis',
  onRedis(async () => ({ mode: 'single', url: (await RedisProcess.start()).url })),
);

describeReceiptStoreContract(
  'RedisReceiptStore on a Redis Cluster',
  onRedis(async () => ({ mode: 'cluster', nodes: (await RedisCluster.start()).nodes.map((node) => ({ host: '127.0.0.1', port: node.port })) })),
);
