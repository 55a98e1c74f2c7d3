import type { IncomingMessage } from 'node:http';
import { setupFrame } from '../../../test/support/raw-rsocket.js';
import { SignJWT, type JWTPayload } from 'jose';
import { encodeBearerAuthMetadata, encodeCompositeMetadata, WellKnownMimeType } from 'rsocket-composite-metadata';
import { Flags, type SetupFrame } from 'rsocket-core';

/** The HS256 secret the unit tests' resolver is built with (32+ bytes, as the config demands). */
export const SECRET = 'unit-test-secret-0123456789abcdef-0123456789';

/** The fixed clock of the unit tests: 2030-01-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2030, 0, 1);

/** Seconds since the epoch, `offset` seconds from {@link NOW_MS}. */
export function nowSeconds(offset = 0): number {
  return Math.floor(NOW_MS / 1000) + offset;
}

/** Signs `claims` (default: sub alice, exp in an hour) with `secret` and `alg` (default HS256). */
export function signToken(claims: JWTPayload = {}, options: { secret?: string; alg?: string } = {}): Promise<string> {
  const payload = { sub: 'alice', exp: nowSeconds(3600), iat: nowSeconds(), ...claims };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** SETUP composite metadata with one bearer authentication entry. */
export function bearerMetadata(token: string): Buffer {
  return encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION, encodeBearerAuthMetadata(token)]]);
}

/** A SETUP frame with the given data (JSON-encoded unless a Buffer) and metadata. */
export function setupWith(options: { data?: unknown; metadata?: Buffer } = {}): SetupFrame {
  const { data, metadata } = options;
  return setupFrame('unused', {
    flags: metadata ? Flags.METADATA : Flags.NONE,
    data: data === undefined ? null : Buffer.isBuffer(data) ? data : Buffer.from(JSON.stringify(data)),
    metadata: metadata ?? null,
  }) as SetupFrame;
}

/** An upgrade request with just what the resolvers read: the URL and the headers. */
export function upgradeWith(options: { url?: string; headers?: Record<string, string> } = {}): IncomingMessage {
  return { url: options.url ?? '/rsocket', headers: options.headers ?? {} } as unknown as IncomingMessage;
}
