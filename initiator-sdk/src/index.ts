export { InitiatorClient, type SendOptions } from './initiator-client.js';
export {
  INITIATOR_DEFAULTS,
  InitiatorOptionsError,
  type InitiatorOptions,
  type RetryInfo,
} from './initiator-options.js';
export { SendError, type SendAttempt, type SendProblem, type ServiceError } from './send-error.js';
export { describeNetworkError, fetchPost, type HttpAnswer, type HttpPost, type HttpRequest } from './http-post.js';
export { fullJitterDelay } from './full-jitter-delay.js';
export type { AcceptedNotification, RestErrorCode, SendNotificationRequest, SendNotificationResponse } from '@notification-transport/contract';
