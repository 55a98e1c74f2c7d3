import { describeFrame, type FrameRecord } from './frame-log.js';

/**
 * Reports every message in and out of `socket` as a decoded frame: a `message` listener for what arrives, and a
 * `send` wrapper set on this one socket instance (nothing global is touched) for what leaves. A failure of the
 * reporter never reaches the socket.
 */
export function tapWebSocket(socket: WebSocket, onFrame: (record: FrameRecord) => void, now: () => number): void {
  const report = (message: unknown, direction: 'in' | 'out'): void => {
    try {
      onFrame(describeFrame(message, direction, now()));
    } catch {
      // The frame log is diagnostics: it must never break the conversation it describes.
    }
  };
  socket.addEventListener('message', (event: MessageEvent) => report(event.data, 'in'));
  const send = socket.send.bind(socket);
  socket.send = (data) => {
    report(data, 'out');
    send(data);
  };
}
