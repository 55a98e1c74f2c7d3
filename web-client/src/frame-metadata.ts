import { AUTHENTICATION_MIME_TYPE, ROUTING_MIME_TYPE } from '@notification-transport/contract';
import { decodeAuthMetadata, decodeCompositeMetadata, decodeRoutes, type Entry } from 'rsocket-composite-metadata';

/** Composite metadata as a person reads it: routes, the auth type (never the token) and any other entries' types. */
export interface MetadataRecord {
  routes?: string[];
  /** e.g. `bearer`; the credential itself is never decoded into the record. */
  auth?: string;
  /** MIME types of entries other than routing and authentication. */
  other?: string[];
  /** Set when the bytes were not valid composite metadata. */
  undecodable?: string;
  bytes: number;
}

function mimeTypeOf(entry: Entry): string {
  if (entry.mimeType !== undefined) return entry.mimeType;
  const explicit = (entry as { type?: unknown }).type;
  return typeof explicit === 'string' ? explicit : 'unknown';
}

function addEntry(record: MetadataRecord, entry: Entry): void {
  const mimeType = mimeTypeOf(entry);
  if (mimeType === ROUTING_MIME_TYPE) {
    record.routes = [...(record.routes ?? []), ...decodeRoutes(entry.content)];
  } else if (mimeType === AUTHENTICATION_MIME_TYPE) {
    record.auth = decodeAuthMetadata(entry.content).type.string;
  } else {
    record.other = [...(record.other ?? []), mimeType];
  }
}

/** Decodes composite metadata for the frame log; never throws and never exposes an authentication payload. */
export function describeMetadata(metadata: Buffer): MetadataRecord {
  const record: MetadataRecord = { bytes: metadata.byteLength };
  try {
    for (const entry of decodeCompositeMetadata(metadata)) addEntry(record, entry);
  } catch (error) {
    return { bytes: metadata.byteLength, undecodable: error instanceof Error ? error.message : String(error) };
  }
  return record;
}
