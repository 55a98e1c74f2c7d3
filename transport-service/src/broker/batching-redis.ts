import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
type Command = Parameters<Redis['sendCommand']>[0];
type Stream = Parameters<Redis['sendCommand']>[1];

/**
 * A Redis command client whose commands of one event-loop turn go out in one socket write. The first command of a
 * turn corks the socket and a `setImmediate` uncorks it, after every I/O callback of that turn (every POST read in
 * it) has sent its commands: under load one write syscall carries many commits, and Redis reads them in one go;
 * a lone command waits only until the same turn's check phase. Replies, timeouts and errors are ioredis's own.
 */
export class BatchingRedis extends Redis {
  private corked: Socket | undefined;
  private readonly uncork = (): void => {
    const socket = this.corked;
    this.corked = undefined;
    socket?.uncork();
  };

  override sendCommand(command: Command, stream?: Stream): unknown {
    if (this.corked === undefined && stream === undefined && this.status === 'ready') {
      const socket = (this as unknown as { stream: Socket | undefined }).stream;
      if (socket?.writable === true) {
        socket.cork();
        this.corked = socket;
        setImmediate(this.uncork);
      }
    }
    return super.sendCommand(command, stream);
  }
}
