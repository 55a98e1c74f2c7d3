import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { build } from 'esbuild';
import { launchChromium } from '../../support/chromium.js';
import { assertSucceeded, runCommand, type CommandRun } from '../../support/run-command.js';
import { startService } from '../../support/service.js';
import { startStaticServer } from '../../support/static-server.js';
import { waitFor } from '../../support/wait-for.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** The app's own rxjs: another patch version than the one the client is built and tested with (7.8.2). */
const APP_RXJS = '7.8.1';
/** A string only rxjs has (ObjectUnsubscribedError's message): its count is the number of rxjs copies in a bundle. */
const RXJS_MARKER = 'object unsubscribed';
const PACKAGES = ['@notification-transport/web-client', '@notification-transport/contract', '@notification-transport/initiator-sdk'];

let workDir = '';
after(() => (workDir === '' ? undefined : rm(workDir, { recursive: true, force: true })));

async function succeed(what: string, pending: Promise<CommandRun>, advice: string): Promise<CommandRun> {
  const result = await pending;
  assertSucceeded(what, result, advice);
  return result;
}

/** The browser part of the app: strict TypeScript against the installed client and the app's own rxjs. */
const WEB_MAIN = `import { getNotificationClient, DEBUG_SWITCH_KEY, type ConnectionState, type Notification } from '@notification-transport/web-client';
import { map, type Observable } from 'rxjs';

type Notifications = { 'order.updated': { orderId: number } };
const ws = new URLSearchParams(location.search).get('ws') ?? undefined;
const client = getNotificationClient<Notifications>({ url: ws, userId: 'fixture' });
// The client's observables are the app's rxjs Observables: one rxjs, so these assignments type-check.
const orders: Observable<number> = client.on('order.updated').pipe(map((n: Notification<{ orderId: number }>) => n.payload.orderId));
const states: Observable<ConnectionState> = client.state$;
const received: string[] = [];
Object.assign(window, { received, switchKey: DEBUG_SWITCH_KEY });
states.subscribe(({ state }) => { document.body.dataset.state = state; });
orders.subscribe((orderId) => received.push(String(orderId)));
`;

/** The Node part of the app: sends one notification with the installed SDK and prints the 202 body. */
const NODE_SEND = `import { InitiatorClient, SendError } from '@notification-transport/initiator-sdk';
import type { SendNotificationResponse } from '@notification-transport/contract';

declare const process: { argv: string[]; stdout: { write(text: string): void }; exitCode?: number };
const [baseUrl = '', userId = '', orderId = '0'] = process.argv.slice(2);
const client = new InitiatorClient({ baseUrl, maxAttempts: 3 });
client.send({ userId, type: 'order.updated', payload: { orderId: Number(orderId) } }).then(
  (body: SendNotificationResponse) => process.stdout.write(JSON.stringify(body)),
  (error: unknown) => { process.stdout.write(error instanceof SendError ? error.problem : String(error)); process.exitCode = 1; },
);
`;

const STRICT = { strict: true, noEmit: true, skipLibCheck: false, types: [], target: 'ES2022', noUncheckedIndexedAccess: true };
const WEB_TSCONFIG = { compilerOptions: { ...STRICT, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'] }, files: ['web/main.ts'] };
const NODE_TSCONFIG = { compilerOptions: { ...STRICT, module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'] }, files: ['node/send.mts'] };

async function packTarballs(destination: string): Promise<Map<string, string>> {
  const args = ['pack', '--json', '--pack-destination', destination, ...PACKAGES.flatMap((name) => ['-w', name])];
  const packed = await succeed('npm pack', runCommand('npm', args, REPO_ROOT), 'build first ("npm run build")');
  const entries = JSON.parse(packed.stdout) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
  return new Map(entries.map((entry) => [entry.name, join(destination, entry.filename)]));
}

async function writeApp(app: string): Promise<void> {
  await mkdir(join(app, 'web'), { recursive: true });
  await mkdir(join(app, 'node'), { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'fixture-app', version: '1.0.0', private: true, type: 'module' }));
  await writeFile(join(app, 'web/main.ts'), WEB_MAIN);
  await writeFile(join(app, 'node/send.mts'), NODE_SEND);
  await writeFile(join(app, 'tsconfig.web.json'), JSON.stringify(WEB_TSCONFIG));
  await writeFile(join(app, 'tsconfig.node.json'), JSON.stringify(NODE_TSCONFIG));
}

const INSTALL_ADVICE = `it needs the npm registry for rxjs@${APP_RXJS} (or those packages in the npm cache, ~/.npm)`;

describe('the packed packages in a fresh app', () => {
  it('install from their tarballs, type-check strictly without Node types, bundle with one rxjs and deliver in Chromium', async () => {
    workDir = await mkdtemp(join(tmpdir(), 'fixture-app-'));
    const tarballs = await packTarballs(workDir);
    const app = join(workDir, 'app');
    await writeApp(app);
    const npmInstall = (specs: string[]): Promise<CommandRun> =>
      succeed(`npm install ${specs.join(' ')}`, runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], app), INSTALL_ADVICE);

    // The browser client alone, with the app's rxjs: nothing else of this repository is needed.
    await npmInstall([tarballs.get(PACKAGES[0]!)!, `rxjs@${APP_RXJS}`]);
    const installed = JSON.parse(await readFile(join(app, 'node_modules/@notification-transport/web-client/package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(installed.dependencies, undefined, 'the client brings no dependencies of its own');
    assert.deepEqual(installed.peerDependencies, { rxjs: '^7.8.0' });
    await succeed('tsc -p tsconfig.web.json (types: [], skipLibCheck: false)', runCommand(process.execPath, [TSC, '-p', 'tsconfig.web.json'], app), 'the published index.d.ts must compile in an app without Node types');

    const bundle = await build({ absWorkingDir: app, entryPoints: ['web/main.ts'], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
    const code = bundle.outputFiles[0]?.text ?? '';
    assert.equal(code.split(RXJS_MARKER).length - 1, 1, `one copy of rxjs in the app's bundle`);
    const rxjsRoots = new Set(Object.keys(bundle.metafile.inputs).filter((path) => path.includes('node_modules/rxjs/')).map((path) => path.slice(0, path.indexOf('node_modules/rxjs/'))));
    assert.deepEqual([...rxjsRoots], [''], "rxjs comes only from the app's own node_modules");

    // The Node packages: the SDK with the contract it depends on.
    await npmInstall([tarballs.get(PACKAGES[1]!)!, tarballs.get(PACKAGES[2]!)!]);
    await succeed('tsc -p tsconfig.node.json (types: [], skipLibCheck: false)', runCommand(process.execPath, [TSC, '-p', 'tsconfig.node.json'], app), 'the SDK\'s and the contract\'s .d.ts must compile without Node types');
    await build({ absWorkingDir: app, entryPoints: ['node/send.mts'], bundle: false, format: 'esm', platform: 'node', outfile: join(app, 'node/send.mjs'), logLevel: 'silent' });

    const service = await startService();
    const site = await startStaticServer({
      '/': { text: '<!doctype html><title>fixture app</title><script type="module" src="/app.js"></script>', contentType: 'text/html; charset=utf-8' },
      '/app.js': { text: code, contentType: 'text/javascript; charset=utf-8' },
      '/favicon.ico': { text: '', contentType: 'image/x-icon' },
    });
    const { page } = await launchChromium();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${site.url}/?ws=${encodeURIComponent(service.wsUrl)}`);
    await waitFor(async () => (await page.evaluate('document.body?.dataset.state')) === 'connected' || pageErrors.length > 0, 'the fixture app to connect');
    assert.deepEqual(pageErrors, []);
    assert.equal(await page.evaluate('typeof window.Buffer'), 'undefined', 'no Buffer global');

    const sent = await succeed('the fixture app\'s SDK script', runCommand(process.execPath, [join(app, 'node/send.mjs'), service.baseUrl, 'fixture', '4242'], app), 'see its output');
    assert.match(sent.stdout, /^\{"notifications":\[\{"userId":"fixture","id":"\d+-\d+","online":true\}\]\}$/);
    await waitFor(async () => ((await page.evaluate('window.received')) as string[]).includes('4242'), 'the notification in the fixture app');
    assert.deepEqual(pageErrors, []);
  });
});
