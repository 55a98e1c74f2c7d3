/** SETUP `dataMimeType`: every data field is UTF-8 JSON. */
export const DATA_MIME_TYPE = 'application/json';
/** SETUP `metadataMimeType`: composite metadata. */
export const METADATA_MIME_TYPE = 'message/x.rsocket.composite-metadata.v0';
/** Composite metadata entry carrying the route. */
export const ROUTING_MIME_TYPE = 'message/x.rsocket.routing.v0';
/** Composite metadata entry carrying the bearer token (RSocket authentication extension). */
export const AUTHENTICATION_MIME_TYPE = 'message/x.rsocket.authentication.v0';
