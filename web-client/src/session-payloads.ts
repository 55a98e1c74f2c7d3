import type { NotificationId, NotificationsStreamRequest, SetupData } from '@notification-transport/contract';
import { encodeBearerAuthMetadata, encodeCompositeMetadata, encodeRoute, WellKnownMimeType } from 'rsocket-composite-metadata';
import type { Payload } from 'rsocket-core';

const EMPTY = Buffer.alloc(0);

function json(value: object): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** SETUP payload: the bearer token as composite authentication metadata, the development user id as data. */
export function setupPayload(token: string | undefined, userId: string | undefined): Payload {
  const data: SetupData = userId === undefined ? {} : { userId };
  const payload: Payload = { data: userId === undefined ? EMPTY : json(data) };
  if (token !== undefined) {
    payload.metadata = encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION, encodeBearerAuthMetadata(token)]]);
  }
  return payload;
}

/** Request payload for `route`, with JSON data when given. */
export function routePayload(route: string, data?: object): Payload {
  return {
    data: data === undefined ? EMPTY : json(data),
    metadata: encodeCompositeMetadata([[WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(route)]]),
  };
}

/** REQUEST_STREAM data of the `notifications` route: `{"lastEventId"}` once something was delivered. */
export function streamRequest(lastEventId: NotificationId | undefined): NotificationsStreamRequest | undefined {
  return lastEventId === undefined ? undefined : { lastEventId };
}
