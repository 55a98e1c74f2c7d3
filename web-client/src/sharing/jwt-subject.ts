import { userIdProblem } from '@notification-transport/contract';

function base64UrlToText(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const binary = atob(base64);
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/**
 * The `sub` claim of a JWT, read WITHOUT verifying the signature: only to pick which tabs may share a connection (the
 * server verifies the token itself). `undefined` for anything that is not a JWT with a valid user id as `sub`.
 */
export function jwtSubject(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const claims = JSON.parse(base64UrlToText(parts[1])) as { sub?: unknown } | null;
    const sub = claims?.sub;
    return typeof sub === 'string' && userIdProblem(sub) === undefined ? sub : undefined;
  } catch {
    return undefined;
  }
}
