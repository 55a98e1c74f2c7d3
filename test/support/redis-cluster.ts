import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { redisCommand } from './redis-cli.js';
import { RedisProcess } from './redis-process.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** A throwaway 3-master Redis Cluster on loopback, for Cluster-mode tests. */
export class RedisCluster {
  private constructor(readonly nodes: RedisProcess[]) {}

  /** Starts three cluster-enabled servers, creates the cluster and waits for `cluster_state:ok` on every node. */
  static async start(): Promise<RedisCluster> {
    const nodes = await Promise.all(
      [0, 1, 2].map(async () => {
        // Always pass --cluster-port: the default (data port + 10000) overflows for high ports.
        const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(await freePort())];
        return RedisProcess.start({ args });
      }),
    );
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (const node of nodes) {
      await waitFor(async () => (await redisCommand(node.port, 'cluster', 'info')).includes('cluster_state:ok'), `cluster_state:ok on ${node.port}`, 10_000);
    }
    return new RedisCluster(nodes);
  }

  /** `REDIS_CLUSTER_NODES` for the service: the comma-separated seeds. */
  get seeds(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }
}
