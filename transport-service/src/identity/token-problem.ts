import { errors } from 'jose';

/**
 * What is wrong with a token `jose` refused, as a sentence a person can act on; `undefined` for an error that is
 * not about the token. The sentence never quotes the token or its claims.
 */
export function tokenProblem(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'token expired: get a fresh token and reconnect';
  if (error instanceof errors.JWTClaimValidationFailed) return claimProblem(error.claim, error.reason);
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return 'token signature is invalid: it must be signed with the server\'s AUTH_JWT_SECRET';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token must be signed with HS256';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return 'token is malformed: it must be a JWT in compact form (header.payload.signature)';
  }
  if (error instanceof errors.JOSEError) return 'token is invalid: send an HS256 JWT with "sub" and "exp" claims';
  return undefined;
}

const DATE_CLAIMS: ReadonlySet<string> = new Set(['exp', 'nbf', 'iat']);

function claimProblem(claim: string, reason: string): string {
  if (reason === 'missing' && (claim === 'exp' || claim === 'sub')) {
    return `token has no ${claim} claim: tokens need "sub" (the user id) and "exp"`;
  }
  if (claim === 'nbf' && reason === 'check_failed') return 'token is not valid yet (nbf): check the issuer\'s clock';
  if (DATE_CLAIMS.has(claim)) return `token "${claim}" claim must be a NumericDate (seconds since the epoch)`;
  return 'token claims are invalid: send an HS256 JWT with "sub" and "exp" claims';
}
