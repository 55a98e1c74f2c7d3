import type { Entry } from 'rsocket-composite-metadata';

/** The MIME type of a composite metadata entry: well-known entries expose `mimeType`, explicit ones carry it in `type`. */
export function compositeEntryMimeType(entry: Entry): string | undefined {
  if (entry.mimeType !== undefined) return entry.mimeType;
  const explicit = (entry as { type?: unknown }).type;
  return typeof explicit === 'string' ? explicit : undefined;
}
