import type { DebugLogger } from './debug-logger.js';
import { describeFrame, formatFrame, type FrameRecord } from './frame-log.js';

/** The `localStorage` key that, set to `"1"`, turns the decoded frame log on in any build, from the next page load. */
export const DEBUG_SWITCH_KEY = 'notification-transport.debug';

/** Where the switch is read: the page's global scope (anything with an optional `localStorage`). */
export interface DebugSwitchScope {
  localStorage?: { getItem(key: string): string | null };
}

/**
 * Whether `localStorage["notification-transport.debug"]` is `"1"`. False where there is no storage (workers, Node)
 * and where reading it throws (storage disabled by privacy settings, sandboxed frames): the switch never breaks a page.
 */
export function debugSwitchOn(scope: DebugSwitchScope = globalThis): boolean {
  try {
    return scope.localStorage?.getItem(DEBUG_SWITCH_KEY) === '1';
  } catch {
    return false;
  }
}

/** What the switch puts on the page for the DevTools console: decoding a frame copied from the WS pane. */
export interface FrameDecoder {
  /** Decodes one binary message as DevTools shows it (base64), e.g. `decode('AAAAAAQA…', 'in')`. */
  decode(base64: string, direction?: 'in' | 'out'): FrameRecord;
  /** The log line of a decoded frame. */
  format(record: FrameRecord): string;
}

/** The global name of the {@link FrameDecoder}, defined only while the switch is on. */
export const FRAME_DECODER_GLOBAL = 'notificationTransportDebug';

/** Decodes a base64 WebSocket message (what DevTools' WS pane copies for a binary frame) into a {@link FrameRecord}. */
export function describeBase64Frame(base64: string, direction: 'in' | 'out' = 'in', at = Date.now()): FrameRecord {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(base64.trim()), (char) => char.charCodeAt(0));
  } catch {
    return { direction, at, size: 0, type: 'UNDECODABLE', flags: [], problem: 'not base64 (copy the message from DevTools\' WS pane)' };
  }
  return describeFrame(bytes, direction, at);
}

/**
 * Puts a {@link FrameDecoder} on the page as `notificationTransportDebug`, so QA can decode a frame copied from
 * DevTools in its console. Called only while the switch is on; a page without the switch gets no global.
 */
export function exposeFrameDecoder(logger: DebugLogger, scope: object = globalThis): void {
  const decoder: FrameDecoder = { decode: (base64, direction) => describeBase64Frame(base64, direction), format: formatFrame };
  Object.defineProperty(scope, FRAME_DECODER_GLOBAL, { value: decoder, configurable: true, writable: true });
  logger(`frame log on (localStorage "${DEBUG_SWITCH_KEY}" is "1"); decode a frame copied from DevTools with ${FRAME_DECODER_GLOBAL}.decode("<base64>")`);
}
