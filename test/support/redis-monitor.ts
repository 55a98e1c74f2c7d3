import { connect } from 'node:net';
import { onCleanup } from './cleanup.js';

/**
 * Watches every command a Redis server executes (MONITOR, over a socket of the test process itself: no child to
 * spawn, no polling interval) and calls `action` synchronously on the first one whose line contains `fragment`.
 * Redis writes a command's MONITOR line only once it has run it, so when `action` runs that command has taken
 * effect; whatever the server executes afterwards depends only on how quickly `action` lands. Resolves once the
 * watch is in place.
 */
export async function onFirstCommand(port: number, fragment: string, action: () => void): Promise<{ fired: () => boolean }> {
  const socket = connect({ host: '127.0.0.1', port });
  onCleanup(() => socket.destroy());
  let fired = false;
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => socket.write('MONITOR\r\n'));
    socket.on('data', (chunk: Buffer) => {
      if (fired) return;
      seen = (seen + chunk.toString('latin1')).slice(-4_096);
      if (seen.startsWith('+OK\r\n')) {
        seen = seen.slice(5);
        resolve();
      }
      if (seen.includes(fragment)) {
        fired = true;
        action();
        socket.destroy();
      }
    });
  });
  return { fired: () => fired };
}
