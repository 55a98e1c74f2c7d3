/**
 * A child of bench/side-by-side.ts that holds idle user connections for the memory phase: one process cannot hold
 * 20,000 client sockets under a 20,000 file descriptor limit, so each instance's users live in a holder of their own
 * (pinned to the load generator's core like the bench).
 *
 *   node --import tsx bench/support/client-holder.ts <product|product+receipts|plain|durable> <ws://127.0.0.1:PORT>
 *
 * stdin, one command a line: `connect <prefix> <from> <to> <batch>` opens users `<prefix><i>` for i in [from, to),
 * `batch` at a time, and answers `connected <total open>` on stdout (or `failed <reason>` and exits 1).
 */
import { createInterface } from 'node:readline';
import type WebSocket from 'ws';
import { openClient, SYSTEM_NAMES, type SystemName } from './bench-client.js';

const [system, wsBase] = process.argv.slice(2);
if (!SYSTEM_NAMES.includes(system as SystemName) || wsBase === undefined) {
  process.stderr.write('usage: client-holder.ts <product|product+receipts|plain|durable> <ws://host:port>\n');
  process.exit(2);
}
const sockets: WebSocket[] = [];
let closedEarly = 0;

async function connect(prefix: string, from: number, to: number, batch: number): Promise<void> {
  for (let start = from; start < to; start += batch) {
    const opening: Array<Promise<WebSocket>> = [];
    for (let i = start; i < Math.min(start + batch, to); i += 1) {
      opening.push(openClient(system as SystemName, wsBase as string, `${prefix}${i}`, undefined, () => (closedEarly += 1)));
    }
    sockets.push(...(await Promise.all(opening)));
  }
  if (closedEarly > 0) throw new Error(`${closedEarly} connections closed by the server`);
}

let queue = Promise.resolve();
const commands = createInterface({ input: process.stdin });
// The bench went away (stdin closed): nothing left to hold the connections for.
commands.on('close', () => process.exit(0));
commands.on('line', (line) => {
  const [op, prefix = '', from = '0', to = '0', batch = '250'] = line.trim().split(' ');
  if (op !== 'connect') return;
  queue = queue
    .then(() => connect(prefix, Number(from), Number(to), Number(batch)))
    .then(
      () => {
        process.stdout.write(`connected ${sockets.length}\n`);
      },
      (error: unknown) => {
        process.stdout.write(`failed ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
});
