// Loaded into every unit-tier test process: a unit test that opens a TCP socket or spawns a process fails at once,
// naming what it did, so the unit tier stays what its name says (run-tests.mjs puts such tests in integration/).
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

function refuse(what) {
  throw new Error(`unit tests use no sockets and no processes, but this one called ${what}: move it to an integration/ directory`);
}

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function guardedListen(...args) {
  const [first] = args;
  const onPath = typeof first === 'string' || (typeof first === 'object' && first !== null && 'path' in first);
  if (!onPath) refuse('net.Server.listen');
  return listen.apply(this, args);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const [first] = args;
  const onPath = typeof first === 'string' || (typeof first === 'object' && first !== null && 'path' in first && !('port' in first));
  if (!onPath) refuse('net.Socket.connect');
  return connect.apply(this, args);
};

for (const name of ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync']) {
  const original = childProcess[name];
  childProcess[name] = function guardedChildProcess(...args) {
    // esbuild (behind tsx) runs its own service binary; that is the test runner's machinery, not the test's.
    if (String(args[0]).includes('esbuild')) return original.apply(this, args);
    return refuse(`child_process.${name}(${JSON.stringify(String(args[0]))})`);
  };
}
// ES modules import named exports of builtins (`import { spawn } from 'node:child_process'`); those bindings follow
// the patched default export only once synced.
syncBuiltinESMExports();
