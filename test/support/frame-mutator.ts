import { ROUTES } from '@notification-transport/contract';
import { Flags, FrameTypes, serializeFrame, type Frame } from 'rsocket-core';
import { routeMetadata, setupFrame } from './raw-rsocket.js';

/**
 * A seeded pseudo-random generator (mulberry32): the same seed always gives the same sequence, so whatever a fuzz
 * run built can be built again from its seed.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of item `index` of a run seeded with `seed`: its sequence depends on nothing else. */
  static forItem(seed: number, index: number): Random {
    return new Random(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    let roll = this.next() * choices.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (choices[choices.length - 1] as readonly [T, number])[0];
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) bytes[i] = this.int(0, 255);
    return bytes;
  }
}

/** The valid frames mutations start from. */
export const SEED_KINDS = ['setup', 'request-stream', 'request-n', 'keepalive', 'cancel', 'payload', 'session'] as const;
export type SeedKind = (typeof SEED_KINDS)[number];

/** A frame a mutator built, named after how it was built (e.g. `request-stream>flip-bits>truncate`). */
export interface BuiltFrame {
  label: string;
  bytes: Buffer;
}

type Mutation = (bytes: Buffer, mutator: FrameMutator, random: Random) => Buffer;

const HEADER_BYTES = 6;
const TYPE_SHIFT = 10;
const FLAGS_MASK = 0x3ff;
/** Client stream ids are odd; a few even ones and one reused often make stream bookkeeping work. */
const STREAM_IDS = [1, 1, 3, 5, 7, 9, 2, 0x7fffffff];
const FLAG_CHOICES = [Flags.FOLLOWS, Flags.METADATA, Flags.IGNORE, Flags.LEASE, Flags.RESUME_ENABLE, Flags.NEXT, Flags.COMPLETE];

/**
 * Builds valid RSocket frames (serialized with rsocket-core) and mutates them the way fuzzers do: bit flips, byte
 * overwrites, truncation, extension, splicing, changed type bits, stream ids and flags, corrupted length fields,
 * length prefixes and oversize payloads. Every choice comes from the given {@link Random}.
 */
export class FrameMutator {
  constructor(
    private readonly random: Random,
    private readonly userId: string,
  ) {}

  /** A valid frame of `kind` (random when not given). */
  seed(kind: SeedKind = this.random.pick(SEED_KINDS)): BuiltFrame {
    return { label: kind, bytes: serializeFrame(this.seedFrame(kind)) };
  }

  /** `frame` after one to three mutations. */
  mutate(frame: BuiltFrame): BuiltFrame {
    let { label, bytes } = frame;
    const count = this.random.weighted([[1, 6], [2, 3], [3, 1]] as const);
    for (let i = 0; i < count; i += 1) {
      const name = this.random.weighted(MUTATION_WEIGHTS);
      bytes = MUTATIONS[name](bytes, this, this.random);
      label += `>${name}`;
    }
    return { label, bytes };
  }

  /** Random bytes of random length, 0 to 2,048. */
  noise(): BuiltFrame {
    const length = this.random.int(0, 2_048);
    return { label: `noise(${length})`, bytes: this.random.bytes(length) };
  }

  /** The UTF-8 bytes of a text message: JSON, a frame read as text, or printable junk. */
  text(): BuiltFrame {
    const kind = this.random.pick(['empty', 'json', 'frame', 'junk'] as const);
    const text =
      kind === 'empty'
        ? ''
        : kind === 'json'
          ? JSON.stringify({ userId: this.userId, route: ROUTES.notifications })
          : kind === 'frame'
            ? this.seed().bytes.toString('latin1')
            : Array.from({ length: this.random.int(1, 200) }, () => String.fromCharCode(this.random.int(32, 126))).join('');
    return { label: `text:${kind}`, bytes: Buffer.from(text, 'utf8') };
  }

  private seedFrame(kind: SeedKind): Frame {
    const random = this.random;
    const streamId = random.pick(STREAM_IDS);
    switch (kind) {
      case 'setup':
        return setupFrame(this.userId);
      case 'request-stream':
        return {
          type: FrameTypes.REQUEST_STREAM,
          streamId,
          flags: Flags.METADATA,
          requestN: random.pick([1, 10, 1_000, 0x7fffffff, 0]),
          data: random.chance(0.2) ? Buffer.from(JSON.stringify({ lastEventId: `${Date.UTC(2025, 0, 1)}-${random.int(0, 9)}` })) : null,
          metadata: routeMetadata(ROUTES.notifications),
        } as Frame;
      case 'request-n':
        return { type: FrameTypes.REQUEST_N, streamId, flags: Flags.NONE, requestN: random.pick([1, 5, 1_000, 0x7fffffff, 0]) } as Frame;
      case 'keepalive':
        return { type: FrameTypes.KEEPALIVE, streamId: 0, flags: Flags.RESPOND, lastReceivedPosition: random.int(0, 1_000), data: random.bytes(random.int(0, 16)) } as Frame;
      case 'cancel':
        return { type: FrameTypes.CANCEL, streamId, flags: Flags.NONE } as Frame;
      case 'payload':
        return { type: FrameTypes.PAYLOAD, streamId, flags: Flags.NEXT | (random.chance(0.5) ? Flags.COMPLETE : 0), data: Buffer.from('{"ack":true}'), metadata: null } as Frame;
      case 'session':
        return { type: FrameTypes.REQUEST_RESPONSE, streamId, flags: Flags.METADATA, data: null, metadata: routeMetadata(ROUTES.session) } as Frame;
    }
  }
}

/** The 1- or 3-byte length fields of a frame shaped like the seeds: MIME type lengths, metadata length, composite entry lengths. */
function lengthFields(bytes: Buffer): Array<{ offset: number; width: 1 | 2 | 3 }> {
  if (bytes.length < HEADER_BYTES) return [];
  const typeAndFlags = bytes.readUInt16BE(4);
  const type = typeAndFlags >>> TYPE_SHIFT;
  const hasMetadata = (typeAndFlags & Flags.METADATA) !== 0;
  const fields: Array<{ offset: number; width: 1 | 2 | 3 }> = [];
  /** Metadata length at `at`, then the first composite entry's length and its route's length byte. */
  const metadataAt = (at: number): void => {
    if (hasMetadata) fields.push({ offset: at, width: 3 }, { offset: at + 4, width: 3 }, { offset: at + 7, width: 1 });
  };
  if (type === FrameTypes.SETUP) {
    let offset = HEADER_BYTES + 12;
    if ((typeAndFlags & Flags.RESUME_ENABLE) !== 0) {
      fields.push({ offset, width: 2 });
      offset += 2 + (bytes.length >= offset + 2 ? bytes.readUInt16BE(offset) : 0);
    }
    for (let mime = 0; mime < 2 && offset < bytes.length; mime += 1) {
      fields.push({ offset, width: 1 });
      offset += 1 + (bytes[offset] ?? 0);
    }
    if (hasMetadata) fields.push({ offset, width: 3 });
  } else if (type === FrameTypes.REQUEST_STREAM || type === FrameTypes.REQUEST_CHANNEL) {
    metadataAt(HEADER_BYTES + 4);
  } else if (type === FrameTypes.REQUEST_RESPONSE || type === FrameTypes.REQUEST_FNF || type === FrameTypes.PAYLOAD) {
    metadataAt(HEADER_BYTES);
  }
  return fields.filter((field) => field.offset + field.width <= bytes.length);
}

function copyOf(bytes: Buffer): Buffer {
  return Buffer.from(bytes);
}

const MUTATIONS = {
  'flip-bits': (bytes, _mutator, random) => {
    const out = copyOf(bytes);
    if (out.length === 0) return out;
    for (let i = random.int(1, 8); i > 0; i -= 1) {
      const bit = random.int(0, out.length * 8 - 1);
      out[bit >>> 3] = (out[bit >>> 3] as number) ^ (1 << (bit & 7));
    }
    return out;
  },
  'overwrite-bytes': (bytes, _mutator, random) => {
    const out = copyOf(bytes);
    if (out.length === 0) return out;
    for (let i = random.int(1, 8); i > 0; i -= 1) out[random.int(0, out.length - 1)] = random.pick([0x00, 0xff, 0x7f, 0x80, random.int(0, 255)]);
    return out;
  },
  truncate: (bytes, _mutator, random) => copyOf(bytes.subarray(0, random.int(0, Math.max(0, bytes.length - 1)))),
  extend: (bytes, _mutator, random) => Buffer.concat([bytes, random.bytes(random.int(1, 256))]),
  splice: (bytes, mutator, random) => {
    const other = mutator.seed().bytes;
    return Buffer.concat([bytes.subarray(0, random.int(0, bytes.length)), other.subarray(random.int(0, other.length))]);
  },
  'frame-type': (bytes, _mutator, random) => {
    if (bytes.length < HEADER_BYTES) return copyOf(bytes);
    const out = copyOf(bytes);
    out.writeUInt16BE((random.int(0, 63) << TYPE_SHIFT) | (out.readUInt16BE(4) & FLAGS_MASK), 4);
    return out;
  },
  'stream-id': (bytes, _mutator, random) => {
    if (bytes.length < 4) return copyOf(bytes);
    const out = copyOf(bytes);
    out.writeUInt32BE(random.pick([0, 0x80000000, 0xffffffff, 0x80000000 + random.int(1, 0x7fffffff), 0x7fffffff, random.int(1, 0x7fffffff), 2, 4]), 0);
    return out;
  },
  flags: (bytes, _mutator, random) => {
    if (bytes.length < HEADER_BYTES) return copyOf(bytes);
    const out = copyOf(bytes);
    const typeAndFlags = out.readUInt16BE(4);
    const flags = random.chance(0.2)
      ? random.int(0, FLAGS_MASK)
      : FLAG_CHOICES.reduce((acc, flag) => (random.chance(0.3) ? acc ^ flag : acc), typeAndFlags & FLAGS_MASK);
    out.writeUInt16BE((typeAndFlags & ~FLAGS_MASK) | flags, 4);
    return out;
  },
  'length-field': (bytes, _mutator, random) => {
    const fields = lengthFields(bytes);
    if (fields.length === 0) return copyOf(bytes);
    const out = copyOf(bytes);
    const { offset, width } = random.pick(fields);
    const max = 2 ** (8 * width) - 1;
    const current = out.readUIntBE(offset, width);
    const value = random.pick([0, max, Math.min(max, current + 1), Math.max(0, current - 1), random.int(0, max)]);
    out.writeUIntBE(value, offset, width);
    return out;
  },
  'length-prefix': (bytes) => {
    const prefix = Buffer.alloc(3);
    prefix.writeUIntBE(Math.min(bytes.length, 0xffffff), 0, 3);
    return Buffer.concat([prefix, bytes]);
  },
  oversize: (bytes, _mutator, random) => Buffer.concat([bytes, Buffer.alloc(random.chance(0.9) ? random.int(17_000, 80_000) : 300_000, 0x61)]),
} satisfies Record<string, Mutation>;

type MutationName = keyof typeof MUTATIONS;

const MUTATION_WEIGHTS: ReadonlyArray<readonly [MutationName, number]> = [
  ['flip-bits', 14],
  ['overwrite-bytes', 12],
  ['truncate', 10],
  ['extend', 8],
  ['splice', 8],
  ['frame-type', 10],
  ['stream-id', 10],
  ['flags', 12],
  ['length-field', 12],
  ['length-prefix', 3],
  ['oversize', 1],
];
