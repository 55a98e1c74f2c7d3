import type { IncomingMessage } from 'node:http';
import { userIdProblem } from '@notification-transport/contract';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { SetupFrame } from 'rsocket-core';
import { authRefusal, expiredRefusal } from './auth-refusal.js';
import type { Identity, IdentityResolver } from './identity-resolver.js';
import { describeCarrier, findToken, type CarriedToken } from './token-carriers.js';
import { tokenProblem } from './token-problem.js';

/** What {@link JwtIdentity} is built from. */
export interface JwtIdentityOptions {
  /** The HS256 secret (`AUTH_JWT_SECRET`). */
  secret: string;
  /** Origins from which the `access_token` cookie is accepted (`ALLOWED_ORIGINS`). */
  allowedOrigins: readonly string[];
  /** The clock, epoch milliseconds; default `Date.now`. */
  now?: () => number;
}

/** Clock skew tolerated on `exp` (and `nbf`), in seconds. */
const CLOCK_SKEW_SECONDS = 30;

const NO_TOKEN =
  'no token: send it in SETUP metadata (bearer), SETUP data {"token"}, the Authorization header, the access_token cookie or query';

/** JWT identity mode (`AUTH_JWT_SECRET` set): the user is the `sub` of an HS256 JWT with an `exp`, from the first carrier present. */
export class JwtIdentity implements IdentityResolver {
  private readonly key: Uint8Array;
  private readonly allowedOrigins: readonly string[];
  private readonly now: () => number;

  constructor(options: JwtIdentityOptions) {
    this.key = new TextEncoder().encode(options.secret);
    this.allowedOrigins = options.allowedOrigins;
    this.now = options.now ?? Date.now;
  }

  async resolve(setup: SetupFrame, upgrade: IncomingMessage): Promise<Identity> {
    const found = findToken(setup, upgrade, this.allowedOrigins);
    if (found === undefined) throw authRefusal(NO_TOKEN);
    const { sub, exp } = await this.verify(found);
    const problem = userIdProblem(sub);
    if (problem !== undefined || typeof sub !== 'string') {
      throw refusalFor(found, `token "sub" claim (the user id) ${problem ?? 'must be a string'}`);
    }
    if (typeof exp !== 'number') throw refusalFor(found, 'token has no exp claim');
    return { userId: sub, expiresAt: (exp + CLOCK_SKEW_SECONDS) * 1000 };
  }

  private async verify(found: CarriedToken): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(found.token, this.key, {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.now()),
      });
      return payload;
    } catch (error) {
      const problem = tokenProblem(error);
      if (problem === undefined) throw error;
      // An expired token is the one refusal a client mends by itself: [token-expired] says "retry with a fresh token".
      if (error instanceof errors.JWTExpired) throw expiredRefusal(`${problem} (token from ${describeCarrier(found.carrier)})`);
      throw refusalFor(found, problem);
    }
  }
}

function refusalFor(found: CarriedToken, problem: string): Error {
  return authRefusal(`${problem} (token from ${describeCarrier(found.carrier)})`);
}
