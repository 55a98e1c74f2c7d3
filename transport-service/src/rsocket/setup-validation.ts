import { DATA_MIME_TYPE, KEEPALIVE_BOUNDS, METADATA_MIME_TYPE } from '@notification-transport/contract';
import { Flags, FrameTypes, type Frame, type SetupFrame } from 'rsocket-core';
import type { ConnectionEnding } from './endings.js';

/** The keepalive bounds this server accepts: the contract's, with a configurable upper lifetime. */
export interface KeepAliveLimits {
  maxLifetimeMs: number;
}

/** Why a first frame is refused, as a row of the table of endings and a sentence. */
export interface SetupRefusal {
  ending: ConnectionEnding;
  detail: string;
}

/**
 * The refusal of a connection's first frame, or `undefined` when it is a SETUP this server serves. RSocket 1.0:
 * anything but SETUP or RESUME on stream 0 is INVALID_SETUP; RESUME is REJECTED_RESUME (no resume here); then the
 * version, the resume and lease flags, the MIME types and the keepalive bounds.
 */
export function setupRefusal(frame: Frame, limits: KeepAliveLimits): SetupRefusal | undefined {
  const { type, streamId } = frame as { type: number; streamId: number };
  if (type !== FrameTypes.SETUP && type !== FrameTypes.RESUME) {
    return { ending: 'invalid-setup', detail: `the first frame must be SETUP, got ${FrameTypes[type] ?? type}` };
  }
  if (streamId !== 0) return { ending: 'invalid-setup', detail: `${FrameTypes[type]} must be sent on stream 0, got ${streamId}` };
  if (type === FrameTypes.RESUME) return { ending: 'resume-rejected', detail: 'resume is not supported; connect with a new SETUP' };
  const setup = frame as SetupFrame;
  return flagRefusal(setup) ?? parameterRefusal(setup, limits);
}

function flagRefusal(setup: SetupFrame): SetupRefusal | undefined {
  if (setup.majorVersion !== 1) {
    return { ending: 'unsupported-setup', detail: `RSocket version ${setup.majorVersion}.${setup.minorVersion} is not supported; use 1.x` };
  }
  if (Flags.hasResume(setup.flags)) {
    return { ending: 'resume-refused', detail: 'resume is not supported; clear the resume flag (lost notifications are recovered with lastEventId)' };
  }
  if (Flags.hasLease(setup.flags)) return { ending: 'unsupported-setup', detail: 'lease is not supported; clear the lease flag' };
  return undefined;
}

function parameterRefusal(setup: SetupFrame, limits: KeepAliveLimits): SetupRefusal | undefined {
  if (setup.dataMimeType !== DATA_MIME_TYPE) {
    return { ending: 'unsupported-setup', detail: `dataMimeType must be ${DATA_MIME_TYPE}, got ${JSON.stringify(setup.dataMimeType)}` };
  }
  if (setup.metadataMimeType !== METADATA_MIME_TYPE) {
    return { ending: 'unsupported-setup', detail: `metadataMimeType must be ${METADATA_MIME_TYPE}, got ${JSON.stringify(setup.metadataMimeType)}` };
  }
  const { minKeepAliveMs, maxKeepAliveMs } = KEEPALIVE_BOUNDS;
  if (setup.keepAlive < minKeepAliveMs || setup.keepAlive > maxKeepAliveMs) {
    return { ending: 'bounds', detail: `keepAlive must be from ${minKeepAliveMs} to ${maxKeepAliveMs} ms, got ${setup.keepAlive}` };
  }
  const minLifetime = 2 * setup.keepAlive;
  if (setup.lifetime < minLifetime || setup.lifetime > limits.maxLifetimeMs) {
    return { ending: 'bounds', detail: `lifetime must be from 2 x keepAlive (${minLifetime}) to ${limits.maxLifetimeMs} ms, got ${setup.lifetime}` };
  }
  return undefined;
}
