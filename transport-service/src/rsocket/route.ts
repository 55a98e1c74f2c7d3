import { ROUTING_MIME_TYPE } from '@notification-transport/contract';
import { compositeEntryMimeType } from './composite-entry-mime-type.js';
import { decodeCompositeMetadata, decodeRoutes } from 'rsocket-composite-metadata';

/** Metadata that is not readable composite metadata. */
export class MalformedMetadataError extends Error {}

/**
 * The first route in a request's composite metadata (`message/x.rsocket.routing.v0`), or `undefined` when the
 * request carries no metadata or no routing entry.
 */
export function readRoute(metadata: Buffer | null | undefined): string | undefined {
  if (!metadata || metadata.length === 0) return undefined;
  try {
    for (const entry of decodeCompositeMetadata(metadata)) {
      if (compositeEntryMimeType(entry) !== ROUTING_MIME_TYPE) continue;
      for (const route of decodeRoutes(entry.content)) return route;
    }
  } catch {
    throw new MalformedMetadataError('metadata is not valid composite metadata (message/x.rsocket.composite-metadata.v0)');
  }
  return undefined;
}

