/** Path of the RSocket-over-WebSocket endpoint on the service's single HTTP port. */
export const RSOCKET_PATH = '/rsocket';

/** REST paths initiators and operators call. */
export const REST_PATHS = {
  notifications: '/api/v1/notifications',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const;

/** Routes carried in `message/x.rsocket.routing.v0` composite metadata. */
export const ROUTES = {
  /** REQUEST_STREAM: the user's notifications. Also the default for a REQUEST_STREAM without metadata. */
  notifications: 'notifications',
  /** REQUEST_RESPONSE: who the server thinks this connection is; the client's proof that SETUP was accepted. */
  session: 'session',
  /** REQUEST_FNF: the client confirms `delivered` or `read` for notifications sent with `"receipt": true`. */
  receipt: 'receipt',
} as const;

/** Query parameter carrying the user id on the upgrade in development identity mode (clients with empty SETUP data). */
export const USER_ID_QUERY_PARAM = 'userId';
