export { InitiatorClient, type ReceiptOptions, type SendOptions } from './initiator-client.js';
export { ReceiptError } from './receipt-error.js';
export { fetchGet, type HttpGet, type HttpGetRequest } from './http-get.js';
export {
  INITIATOR_DEFAULTS,
  InitiatorOptionsError,
  type InitiatorOptions,
  type RetryInfo,
} from './initiator-options.js';
export { SendError, type SendAttempt, type SendProblem, type ServiceError } from './send-error.js';
export { describeNetworkError, fetchPost, type HttpAnswer, type HttpPost, type HttpRequest } from './http-post.js';
export { fullJitterDelay } from './full-jitter-delay.js';
export type {
  AcceptedNotification,
  ReceiptState,
  ReceiptView,
  ReceiptWaitFor,
  RestErrorCode,
  SendNotificationRequest,
  SendNotificationResponse,
} from '@notification-transport/contract';
