import type { IncomingMessage } from 'node:http';
import { compositeEntryMimeType } from '../rsocket/composite-entry-mime-type.js';
import { AUTHENTICATION_MIME_TYPE } from '@notification-transport/contract';
import { decodeAuthMetadata, decodeCompositeMetadata } from 'rsocket-composite-metadata';
import type { SetupFrame } from 'rsocket-core';
import { RSocketEndError } from '../errors/transport-error.js';
import { authRefusal } from './auth-refusal.js';
import { parseSetupData } from './setup-data.js';

/** Where a client's JWT came from, in the contract's order of precedence. */
export type TokenCarrier = 'setup-metadata' | 'setup-data' | 'authorization-header' | 'cookie' | 'query';

/** A token and the carrier it was found in. */
export interface CarriedToken {
  carrier: TokenCarrier;
  token: string;
}

/** Name of the upgrade's cookie and query parameter that carry the token. */
const ACCESS_TOKEN_PARAM = 'access_token';

const CARRIER_NAMES: Record<TokenCarrier, string> = {
  'setup-metadata': 'SETUP metadata',
  'setup-data': 'SETUP data',
  'authorization-header': 'the Authorization header',
  cookie: `the ${ACCESS_TOKEN_PARAM} cookie`,
  query: `the ${ACCESS_TOKEN_PARAM} query parameter`,
};

/** How error messages name a carrier, e.g. "the access_token cookie". */
export function describeCarrier(carrier: TokenCarrier): string {
  return CARRIER_NAMES[carrier];
}

/** The token of the first carrier present (valid or not: a later one is never consulted), or `undefined` when none is. */
export function findToken(setup: SetupFrame, upgrade: IncomingMessage, allowedOrigins: readonly string[]): CarriedToken | undefined {
  const data = parseSetupData(setup.data); // malformed SETUP data is INVALID_SETUP whichever carrier holds the token
  const fromMetadata = metadataToken(setup.metadata);
  if (fromMetadata !== undefined) return { carrier: 'setup-metadata', token: fromMetadata };
  if (data.token !== undefined) return { carrier: 'setup-data', token: data.token };
  const fromHeader = bearerToken(upgrade.headers.authorization);
  if (fromHeader !== undefined) return { carrier: 'authorization-header', token: fromHeader };
  const fromCookie = cookieValue(upgrade.headers.cookie, ACCESS_TOKEN_PARAM);
  if (fromCookie !== undefined) {
    // Refused, not skipped: browsers attach cookies to cross-site WebSocket upgrades (cross-site WebSocket hijacking).
    requireAllowedOrigin(upgrade.headers.origin, allowedOrigins);
    return { carrier: 'cookie', token: fromCookie };
  }
  const fromQuery = new URL(upgrade.url ?? '/', 'http://upgrade.invalid').searchParams.get(ACCESS_TOKEN_PARAM);
  if (fromQuery !== null) return { carrier: 'query', token: fromQuery };
  return undefined;
}

/** The bearer token of the SETUP's `message/x.rsocket.authentication.v0` entry, if it has one. */
function metadataToken(metadata: Buffer | null | undefined): string | undefined {
  if (!metadata || metadata.length === 0) return undefined;
  let content: Buffer | undefined;
  try {
    for (const entry of decodeCompositeMetadata(metadata)) {
      if (compositeEntryMimeType(entry) === AUTHENTICATION_MIME_TYPE) {
        content = entry.content;
        break;
      }
    }
  } catch {
    throw new RSocketEndError('invalid-setup', 'SETUP metadata is not valid composite metadata (message/x.rsocket.composite-metadata.v0)');
  }
  return content === undefined ? undefined : bearerPayload(content);
}

function bearerPayload(content: Buffer): string {
  let auth: ReturnType<typeof decodeAuthMetadata>;
  try {
    auth = decodeAuthMetadata(content);
  } catch {
    throw authRefusal(`the ${AUTHENTICATION_MIME_TYPE} entry of SETUP metadata is malformed; encode it as bearer auth metadata`);
  }
  if (auth.type.string !== 'bearer') {
    throw authRefusal(`the ${AUTHENTICATION_MIME_TYPE} entry of SETUP metadata must use the bearer auth type`);
  }
  return auth.payload.toString('utf8');
}


/** `Bearer <jwt>` (scheme case-insensitive); other schemes are not a token carrier. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer(?:[ \t]+(.*))?$/i.exec(header ?? '');
  return match ? (match[1] ?? '').trim() : undefined;
}

/** The first cookie called `name` in a `Cookie` header (RFC 6265 syntax, optional double quotes). */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

function requireAllowedOrigin(origin: string | undefined, allowedOrigins: readonly string[]): void {
  if (origin !== undefined && allowedOrigins.includes(origin)) return;
  const got = origin === undefined ? 'no Origin header' : `Origin ${JSON.stringify(origin.slice(0, 200))}`;
  throw authRefusal(
    `the ${ACCESS_TOKEN_PARAM} cookie is accepted only from allowed origins (ALLOWED_ORIGINS); got ${got}. ` +
      'Add the page\'s origin to ALLOWED_ORIGINS or send the token in SETUP metadata or SETUP data',
  );
}
