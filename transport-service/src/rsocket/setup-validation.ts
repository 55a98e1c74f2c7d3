import {
  DATA_MIME_TYPE,
  KEEPALIVE_BOUNDS,
  METADATA_MIME_TYPE,
  RSOCKET_ERROR_CODES,
} from '@notification-transport/contract';
import type { SetupFrame } from 'rsocket-core';
import { RSocketEndError } from '../errors/transport-error.js';

/** The keepalive bounds this server accepts: the contract's, with a configurable upper lifetime. */
export interface KeepAliveLimits {
  maxLifetimeMs: number;
}

/** Throws UNSUPPORTED_SETUP when the SETUP's MIME types or keepalive values are outside what this server accepts. */
export function validateSetup(setup: SetupFrame, limits: KeepAliveLimits): void {
  if (setup.dataMimeType !== DATA_MIME_TYPE) {
    throw unsupported('invalid-setup', `dataMimeType must be ${DATA_MIME_TYPE}, got ${JSON.stringify(setup.dataMimeType)}`);
  }
  if (setup.metadataMimeType !== METADATA_MIME_TYPE) {
    throw unsupported('invalid-setup', `metadataMimeType must be ${METADATA_MIME_TYPE}, got ${JSON.stringify(setup.metadataMimeType)}`);
  }
  const { minKeepAliveMs, maxKeepAliveMs } = KEEPALIVE_BOUNDS;
  if (setup.keepAlive < minKeepAliveMs || setup.keepAlive > maxKeepAliveMs) {
    throw unsupported('bounds', `keepAlive must be from ${minKeepAliveMs} to ${maxKeepAliveMs} ms, got ${setup.keepAlive}`);
  }
  const minLifetime = 2 * setup.keepAlive;
  if (setup.lifetime < minLifetime || setup.lifetime > limits.maxLifetimeMs) {
    throw unsupported('bounds', `lifetime must be from 2 x keepAlive (${minLifetime}) to ${limits.maxLifetimeMs} ms, got ${setup.lifetime}`);
  }
}

function unsupported(reason: 'invalid-setup' | 'bounds', detail: string): RSocketEndError {
  return new RSocketEndError(reason, RSOCKET_ERROR_CODES.UNSUPPORTED_SETUP, detail);
}
