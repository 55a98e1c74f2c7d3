/**
 * Fuzz test of `ws://…/rsocket`. Sessions over real WebSockets, several at a time, against one in-process
 * instance, feed it a few thousand frames: valid SETUP, REQUEST_STREAM, REQUEST_N, KEEPALIVE, CANCEL, PAYLOAD and
 * REQUEST_RESPONSE `session` frames (serialized with rsocket-core), the same frames mutated (see
 * support/frame-mutator.ts), random bytes and text messages. Some sessions start with a valid SETUP, some with a
 * mutated frame, some with noise. Now and then a session sends a valid KEEPALIVE with the respond flag and waits
 * until it is echoed or the server closes: each session's sends are then deterministic in spite of timing, and a
 * server that neither answers nor closes is caught. Afterwards: no uncaught exception or unhandled rejection, every
 * frame the server sent decodes and every ERROR starts with a reason token, a bystander still receives, every
 * connection and stream is released, and the heap returns to its baseline after GC.
 *
 * Reproducing: the seed is in the suite's name (default below). Every session's frames depend only on the seed and
 * the session's index, so
 *   FUZZ_SEED=<seed> node --import tsx --test test/integration/fuzz.test.ts                  replays the run;
 *   FUZZ_SEED=<seed> FUZZ_SESSION=<index> node --import tsx --test test/integration/fuzz.test.ts   replays one session.
 * FUZZ_FRAMES sets how many fuzz frames the measured run sends (default 4,000; a warm-up of about 400 more, sessions
 * 1,000,000 on, runs first so the heap baseline is taken with the code paths loaded). A failure names its session
 * and lists the frames that session had sent, in hex, with how each was built (e.g. `setup>truncate>stream-id`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { REASONS } from '@notification-transport/contract';
import { deserializeFrame, Flags, FrameTypes, serializeFrame, type ErrorFrame, type Frame, type KeepAliveFrame } from 'rsocket-core';
import WebSocket, { type RawData } from 'ws';
import { onCleanup } from '../support/cleanup.js';
import { FrameMutator, Random, SEED_KINDS, type BuiltFrame, type SeedKind } from '../support/frame-mutator.js';
import { connectModern, type TestClient } from '../support/rsocket-clients.js';
import { startService, type RunningService } from '../support/service.js';
import { waitFor } from '../support/wait-for.js';

const SEED = readInteger('FUZZ_SEED', 0x5eed2024);
const TARGET_FRAMES = readInteger('FUZZ_FRAMES', 4_000);
const ONLY_SESSION = process.env.FUZZ_SESSION === undefined ? undefined : readInteger('FUZZ_SESSION', 0);
const PARALLEL = 8;
const WARM_UP_INDEX = 1_000_000;
const WARM_UP_FRAMES = 400;
/** How long the server may take to answer a sync KEEPALIVE or to finish a close; far above what it needs. */
const ANSWER_MS = 5_000;
const HEAP_GROWTH_LIMIT = 20 * 1_048_576;
const REASON_TOKEN = /^\[([a-z-]+)\]/;
const KNOWN_REASONS: ReadonlySet<string> = new Set(REASONS);

function readInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

/** One thing a session does, decided before it starts. */
type Step = { kind: 'message'; frame: BuiltFrame; binary: boolean } | { kind: 'sync' } | { kind: 'notify' };

interface SessionPlan {
  style: 'setup-first' | 'mutated-first' | 'noise';
  steps: Step[];
  ending: 'close' | 'terminate';
}

/** What went wrong, with what the session had sent so far. */
interface Failure {
  session: number | undefined;
  what: string;
  serverFrameHex?: string;
  sent: string[];
}

/** The frames and text messages of session `index`, from the seed alone. */
function planSession(index: number): SessionPlan {
  const random = Random.forItem(SEED, index);
  const mutator = new FrameMutator(random, `fuzz-${index}`);
  const style = random.weighted([['setup-first', 6], ['mutated-first', 3], ['noise', 1]] as const);
  const mutationRate = 0.02 + random.next() * 0.25;
  const steps: Step[] = [];
  const message = (frame: BuiltFrame, binary = true): void => void steps.push({ kind: 'message', frame, binary });
  if (style === 'setup-first') {
    message(mutator.seed('setup'));
    if (random.chance(0.5)) steps.push({ kind: 'sync' });
  }
  const length = random.int(10, 60);
  for (let k = 0; k < length; k += 1) {
    if (style === 'noise') {
      if (random.chance(0.8)) message(mutator.noise());
      else message(random.chance(0.7) ? mutator.text() : mutator.noise(), false);
    } else if (style === 'mutated-first' && k === 0) {
      message(mutator.mutate(mutator.seed(random.chance(0.6) ? 'setup' : undefined)));
    } else {
      const roll = random.next();
      if (roll < mutationRate) message(mutator.mutate(mutator.seed(pickSeed(random))));
      else if (roll < mutationRate + 0.03) message(random.chance(0.5) ? mutator.noise() : mutator.text(), random.chance(0.3));
      else message(mutator.seed(pickSeed(random)));
    }
    if (random.chance(0.15)) steps.push({ kind: 'sync' });
    if (style === 'setup-first' && random.chance(0.04)) steps.push({ kind: 'notify' });
  }
  return { style, steps, ending: random.chance(0.7) ? 'close' : 'terminate' };
}

/** A seed kind for frames after the first: a second SETUP only now and then. */
function pickSeed(random: Random): SeedKind {
  return random.chance(0.05) ? 'setup' : random.pick(SEED_KINDS.filter((kind) => kind !== 'setup'));
}

function hex(bytes: Buffer, limit = 4_096): string {
  return bytes.length <= limit ? bytes.toString('hex') : `${bytes.subarray(0, limit).toString('hex')}… (${bytes.length} bytes)`;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Checks one message from the server and returns the frame it decodes to, if any. */
type Inspect = (data: Buffer, isBinary: boolean) => Frame | undefined;

/** A client WebSocket of one fuzz session: sends what it is given, hands every message to `inspect`. */
class FuzzSocket {
  closed: { code: number } | undefined;
  readonly sent: string[] = [];
  private readonly echoes = new Set<string>();
  private wake: () => void = () => {};
  private syncs = 0;

  private constructor(
    private readonly ws: WebSocket,
    inspect: Inspect,
    onClientError: (error: Error) => void,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const frame = inspect(toBuffer(data), isBinary);
      if (frame?.type === FrameTypes.KEEPALIVE) this.echoes.add((frame as KeepAliveFrame).data?.toString('latin1') ?? '');
      this.wake();
    });
    ws.on('close', (code) => {
      this.closed = { code };
      this.wake();
    });
    ws.on('error', onClientError);
  }

  static async open(url: string, inspect: Inspect, onClientError: (error: Error) => void): Promise<FuzzSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const socket = new FuzzSocket(ws, inspect, onClientError);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return socket;
  }

  terminate(): void {
    this.ws.terminate();
  }

  send(frame: BuiltFrame, binary: boolean): void {
    this.sent.push(`${binary ? 'binary' : 'text'} ${frame.label}: ${hex(frame.bytes)}`);
    this.ws.send(frame.bytes, { binary });
  }

  /** Sends KEEPALIVE (respond) with a token; true once it is echoed or the socket closed, false after ANSWER_MS. */
  async sync(): Promise<boolean> {
    const token = `sync-${this.syncs++}`;
    const frame = { type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.RESPOND, lastReceivedPosition: 0, data: Buffer.from(token, 'latin1') } as Frame;
    this.send({ label: `sync ${token}`, bytes: serializeFrame(frame) }, true);
    return this.until(() => this.echoes.has(token) || this.closed !== undefined);
  }

  /** Ends the session from the client side: a close handshake, or an abrupt end; true once closed. */
  finish(ending: SessionPlan['ending']): Promise<boolean> {
    if (ending === 'terminate') this.ws.terminate();
    else if (this.closed === undefined) this.ws.close(1000);
    return this.until(() => this.closed !== undefined);
  }

  private async until(done: () => boolean): Promise<boolean> {
    const deadline = Date.now() + ANSWER_MS;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }
}

/** The fuzz run: sessions, what the server sent back, and every failure. */
class FuzzRun {
  readonly failures: Failure[] = [];
  readonly processEvents: Failure[] = [];
  readonly serverFrames = new Map<string, number>();
  readonly reasons = new Map<string, number>();
  readonly closeCodes = new Map<string, number>();
  readonly clientErrors = new Map<string, number>();
  readonly styles = new Map<string, number>();
  framesSent = 0;
  syncs = 0;
  notifications = 0;
  sessions = 0;
  private readonly inFlight = new Map<number, FuzzSocket>();
  private readonly sockets = new Set<FuzzSocket>();

  constructor(private readonly service: RunningService) {
    onCleanup(() => {
      for (const socket of this.sockets) socket.terminate();
    });
  }

  /** Runs sessions `firstIndex`, `firstIndex + 1`, …, PARALLEL at a time, until `frames` more fuzz frames were sent. */
  async run(firstIndex: number, frames: number): Promise<void> {
    const target = this.framesSent + frames;
    let next = firstIndex;
    const worker = async (): Promise<void> => {
      while (this.framesSent < target) await this.session(next++);
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }

  /** Runs one session (FUZZ_SESSION). */
  replay(index: number): Promise<void> {
    return this.session(index);
  }

  /** Records an uncaught exception or unhandled rejection with the sessions in flight and their last frames. */
  processEvent(kind: string, error: unknown): void {
    const sent = [...this.inFlight].flatMap(([index, socket]) => socket.sent.slice(-3).map((line) => `session ${index}: ${line}`));
    this.processEvents.push({ session: undefined, what: `${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, sent });
  }

  private async session(index: number): Promise<void> {
    const plan = planSession(index);
    this.sessions += 1;
    count(this.styles, plan.style);
    let socket: FuzzSocket | undefined;
    try {
      socket = await FuzzSocket.open(
        this.service.wsUrl,
        (data, isBinary) => this.inspect(index, data, isBinary, socket),
        (error) => count(this.clientErrors, (error as NodeJS.ErrnoException).code ?? error.message),
      );
    } catch (error) {
      this.failures.push({ session: index, what: `the upgrade failed: ${String(error)}`, sent: [] });
      return;
    }
    this.inFlight.set(index, socket);
    this.sockets.add(socket);
    try {
      await this.play(index, plan, socket);
      if (!(await socket.finish(plan.ending))) this.fail(index, socket, `the socket did not close within ${ANSWER_MS} ms of ${plan.ending}`);
      count(this.closeCodes, String(socket.closed?.code));
    } catch (error) {
      this.fail(index, socket, `the session threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      socket.terminate();
    } finally {
      this.inFlight.delete(index);
      this.sockets.delete(socket);
    }
  }

  /** Sends the plan's steps in order until the server closes. */
  private async play(index: number, plan: SessionPlan, socket: FuzzSocket): Promise<void> {
    for (const step of plan.steps) {
      if (socket.closed !== undefined) return;
      if (step.kind === 'message') {
        socket.send(step.frame, step.binary);
        this.framesSent += 1;
      } else if (step.kind === 'sync') {
        this.syncs += 1;
        if (!(await socket.sync())) return this.fail(index, socket, `the server neither echoed a KEEPALIVE nor closed within ${ANSWER_MS} ms`);
      } else {
        this.notifications += 1;
        const outcome = await this.service.send({ userId: `fuzz-${index}`, type: 'fuzz', payload: { session: index } });
        if (outcome.status !== 202) this.fail(index, socket, `REST answered ${outcome.status}: ${JSON.stringify(outcome.body)}`);
      }
    }
  }

  /** Checks one message from the server: binary, decodable, and an ERROR's data starts with a reason token. */
  private inspect(index: number, data: Buffer, isBinary: boolean, socket: FuzzSocket | undefined): Frame | undefined {
    if (!isBinary) {
      this.fail(index, socket, 'the server sent a text message', data);
      return undefined;
    }
    let frame: Frame | undefined;
    try {
      frame = deserializeFrame(data) as Frame | undefined;
    } catch (error) {
      this.fail(index, socket, `a server frame does not decode: ${String(error)}`, data);
      return undefined;
    }
    if (frame === undefined) {
      this.fail(index, socket, 'a server frame has an unknown type', data);
      return undefined;
    }
    count(this.serverFrames, FrameTypes[frame.type] ?? String(frame.type));
    if (frame.type === FrameTypes.ERROR) this.checkError(index, socket, frame as ErrorFrame, data);
    return frame;
  }

  private checkError(index: number, socket: FuzzSocket | undefined, frame: ErrorFrame, data: Buffer): void {
    const token = REASON_TOKEN.exec(frame.message)?.[1];
    if (token === undefined) return this.fail(index, socket, `an ERROR without a reason token: ${JSON.stringify(frame.message)}`, data);
    if (!KNOWN_REASONS.has(token)) return this.fail(index, socket, `an ERROR with a reason token the contract does not know: ${JSON.stringify(frame.message)}`, data);
    count(this.reasons, `${token} 0x${frame.code.toString(16)}`);
  }

  private fail(index: number, socket: FuzzSocket | undefined, what: string, serverFrame?: Buffer): void {
    this.failures.push({
      session: index,
      what,
      ...(serverFrame ? { serverFrameHex: hex(serverFrame) } : {}),
      sent: [...(socket?.sent ?? [])],
    });
  }
}

function describeFailures(failures: readonly Failure[]): string {
  const shown = failures.slice(0, 5).map((failure) =>
    [
      `session ${failure.session ?? '?'}: ${failure.what}`,
      ...(failure.serverFrameHex === undefined ? [] : [`  server frame: ${failure.serverFrameHex}`]),
      ...failure.sent.map((line) => `  sent ${line}`),
    ].join('\n'),
  );
  return `seed ${SEED} (FUZZ_SEED=${SEED}), ${failures.length} failure(s):\n${shown.join('\n')}`;
}

function summary(map: Map<string, number>): string {
  return [...map].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`).join(' ');
}

/** `gc()` although the runner starts node without --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function heapAfterGc(gc: () => void): number {
  for (let i = 0; i < 3; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

describe(`fuzzing /rsocket with FUZZ_SEED=${SEED}`, () => {
  let service: RunningService;
  let bystander: TestClient;
  let run: FuzzRun;
  let gc: () => void;
  let heapBefore = 0;
  let durationMs = 0;
  const onUncaught = (error: unknown): void => run.processEvent('uncaughtException', error);
  const onUnhandled = (error: unknown): void => run.processEvent('unhandledRejection', error);
  const removeListeners = (): void => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  };

  before(
    async () => {
      gc = exposeGc();
      service = await startService();
      bystander = await connectModern(service.wsUrl, { userId: 'bystander' });
      await bystander.session();
      run = new FuzzRun(service);
      process.on('uncaughtException', onUncaught);
      process.on('unhandledRejection', onUnhandled);
      if (ONLY_SESSION !== undefined) {
        heapBefore = heapAfterGc(gc);
        await run.replay(ONLY_SESSION);
        return;
      }
      // A warm-up (sessions from WARM_UP_INDEX on) loads and optimises the code paths, so the baseline is not
      // measured before they exist; its sessions are checked like the others.
      await run.run(WARM_UP_INDEX, WARM_UP_FRAMES);
      await waitFor(() => service.server.registry.connections === 1, 'the warm-up connections to be released', 10_000);
      heapBefore = heapAfterGc(gc);
      const started = Date.now();
      await run.run(0, TARGET_FRAMES);
      durationMs = Date.now() - started;
    },
    { timeout: 60_000 },
  );
  after(removeListeners);

  it('the service lives and every frame it sent decodes; every ERROR starts with a reason token', async (t) => {
    t.diagnostic(
      `seed ${SEED}, warm-up included: ${run.sessions} sessions (${summary(run.styles)}), ${run.framesSent} fuzz frames, ` +
        `${run.syncs} sync KEEPALIVEs, ${run.notifications} notifications; main run ${durationMs} ms`,
    );
    t.diagnostic(`server frames: ${summary(run.serverFrames)}`);
    t.diagnostic(`ERROR reasons: ${summary(run.reasons)}`);
    t.diagnostic(`close codes: ${summary(run.closeCodes)}; client socket errors: ${summary(run.clientErrors) || 'none'}`);
    assert.equal((await fetch(`${service.baseUrl}/healthz`)).status, 200);
    assert.deepEqual(run.failures, [], describeFailures(run.failures));
    assert.ok(run.framesSent >= (ONLY_SESSION === undefined ? TARGET_FRAMES : 1), 'the fuzzer sent its frames');
  });

  it('every fuzz connection and stream is released: registry and gauges back to the bystander alone', async () => {
    await waitFor(() => service.server.registry.connections === 1, 'the registry to hold only the bystander', 10_000);
    const users = [...service.server.registry.all()].map((session) => `${session.userId}/${session.connectionId}`);
    assert.equal(service.server.registry.connectionsOf('bystander').size, 1, `registered: ${users.join(', ')}; bystander error: ${String(bystander.error)}`);
    assert.equal(service.server.registry.userCount, 1);
    await waitFor(
      async () => (await service.metric('transport_connections')) === 1 && (await service.metric('transport_streams')) === 1,
      'transport_connections and transport_streams to be back at 1',
      10_000,
    );
  });

  it('a bystander still receives a notification sent over REST', async () => {
    const before = bystander.received.length;
    assert.equal((await service.send({ userId: 'bystander', type: 't', payload: 1 })).status, 202);
    await waitFor(() => bystander.received.length === before + 1, 'the bystander notification');
    assert.equal(bystander.received.at(-1)?.type, 't');
    assert.equal(bystander.error, undefined);
  });

  it('no uncaughtException or unhandledRejection happened', () => {
    removeListeners();
    assert.deepEqual(run.processEvents, [], describeFailures(run.processEvents));
  });

  it(`the heap returns to its baseline after GC (growth under ${megabytes(HEAP_GROWTH_LIMIT)})`, (t) => {
    const heapAfter = heapAfterGc(gc);
    t.diagnostic(`heapUsed after GC: before ${megabytes(heapBefore)}, after ${megabytes(heapAfter)}, growth ${megabytes(heapAfter - heapBefore)}`);
    assert.ok(heapAfter - heapBefore < HEAP_GROWTH_LIMIT, `heap grew by ${megabytes(heapAfter - heapBefore)}`);
  });
});
