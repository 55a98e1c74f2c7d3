export { getNotificationClient, closeNotificationClient } from './get-notification-client.js';
export { NotificationClient } from './notification-client.js';
export { SharedNotificationClient, type TabRole } from './sharing/shared-notification-client.js';
export type { SharedClientOptions, SharingOptions } from './sharing/sharing-options.js';
export type { BroadcastChannelConstructor, TabChannelPort, TabLocks } from './sharing/tab-platform.js';
export type { AnyNotification, NotificationTypeMap } from './notification-types.js';
export {
  CLIENT_DEFAULTS,
  ClientOptionsError,
  type NotificationClientOptions,
  type TokenProvider,
  type WebSocketConstructor,
} from './client-options.js';
export type { ConnectionState, ConnectionStateName, StateDetails } from './connection-state.js';
export { IllegalTransitionError } from './connection-state.js';
export type { ClientReason } from './client-reason.js';
export type { ClientEvent, ClientErrorCode } from './client-event.js';
export type { ControlMessage } from './stream-message.js';
export { describeFrame, formatFrame, type FrameRecord } from './frame-log.js';
export type { MetadataRecord } from './frame-metadata.js';
export type { Clock } from './clock.js';
export type { OnlineSignal } from './online-signal.js';
export type { DebugLogger } from './debug-logger.js';
export { DEBUG_SWITCH_KEY, describeBase64Frame, FRAME_DECODER_GLOBAL, type FrameDecoder } from './debug-switch.js';
export type { Notification, NotificationId, Reason, ReceiptConfirmation, SessionInfo } from '@notification-transport/contract';
