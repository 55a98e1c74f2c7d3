/**
 * The clients of bench/delivery-path.ts, in a process of their own: `users` raw connections (user ids u0, u1, …)
 * with the notifications stream open at maximum credit; reports the PAYLOADs received to the parent every 50 ms.
 */
import { FrameTypes, serializeFrame } from 'rsocket-core';
import WebSocket from 'ws';
import { setupFrame } from '../../test/support/raw-rsocket.js';

const [port, users] = process.argv.slice(2);
let received = 0;
for (let i = 0; i < Number(users); i += 1) {
  const ws = new WebSocket(`ws://127.0.0.1:${String(port)}/rsocket`, { perMessageDeflate: false });
  ws.on('open', () => {
    ws.send(serializeFrame(setupFrame(`u${i}`)));
    ws.send(serializeFrame({ type: FrameTypes.REQUEST_STREAM, streamId: 1, flags: 0, requestN: 0x7fffffff, data: null, metadata: null }));
  });
  ws.on('message', (data: Buffer) => {
    if (data.readUInt16BE(4) >> 10 === FrameTypes.PAYLOAD) received += 1;
  });
}
setInterval(() => process.send?.(received), 50);
