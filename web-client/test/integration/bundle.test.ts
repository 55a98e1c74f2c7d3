import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import vm from 'node:vm';
import { waitFor } from '../../../test/support/wait-for.js';
import { FakeRSocketServer } from '../support/fake-rsocket-server.js';

const script = join(import.meta.dirname, '../../scripts/bundle.mjs');
let outdir = '';

before(() => {
  outdir = mkdtempSync(join(tmpdir(), 'web-client-bundle-'));
  const result = spawnSync(process.execPath, [script, outdir], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
after(() => rmSync(outdir, { recursive: true, force: true }));

interface BrowserGlobal {
  NotificationTransport?: {
    getNotificationClient(options: object): { state: { state: string }; close(): void };
    closeNotificationClient(): void;
  };
}

describe('browser bundles', () => {
  it('the script build defines exactly one global and runs without a Buffer global (buffer is injected)', async () => {
    const context = vm.createContext({ setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, console });
    const before = Object.keys(context);
    vm.runInContext(readFileSync(join(outdir, 'web-client.iife.js'), 'utf8'), context);
    assert.deepEqual(Object.keys(context).filter((key) => !before.includes(key)), ['NotificationTransport']);
    assert.equal(vm.runInContext('typeof Buffer', context), 'undefined', 'no Buffer written to the global');
    const api = (context as BrowserGlobal).NotificationTransport!;
    const server = new FakeRSocketServer();
    const client = api.getNotificationClient({ url: 'ws://fake.test/rsocket', userId: 'alice', WebSocket: server.WebSocket });
    try {
      await waitFor(() => client.state.state === 'connected', 'the bundled client to connect');
      assert.deepEqual(JSON.parse(server.last.setup!.data!.toString()), { userId: 'alice' });
    } finally {
      api.closeNotificationClient();
    }
  });

  it('the ESM build exports the API and writes nothing to globalThis', async () => {
    const before = new Set(Object.keys(globalThis));
    const module = (await import(pathToFileURL(join(outdir, 'web-client.mjs')).href)) as Record<string, unknown>;
    for (const name of ['getNotificationClient', 'closeNotificationClient', 'NotificationClient', 'describeFrame', 'CLIENT_DEFAULTS']) {
      assert.ok(name in module, name);
    }
    assert.deepEqual(Object.keys(globalThis).filter((key) => !before.has(key)), []);
  });
});
