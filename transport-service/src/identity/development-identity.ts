import type { IncomingMessage } from 'node:http';
import { USER_ID_QUERY_PARAM, userIdProblem } from '@notification-transport/contract';
import type { SetupFrame } from 'rsocket-core';
import { authRefusal } from './auth-refusal.js';
import type { Identity, IdentityResolver } from './identity-resolver.js';
import { parseSetupData } from './setup-data.js';

/**
 * Development identity mode (no `AUTH_JWT_SECRET`): the user id is SETUP data `{"userId"}`, or the upgrade's
 * `userId` query parameter for clients that send empty SETUP data. Anyone can claim any id: loopback only.
 */
export class DevelopmentIdentity implements IdentityResolver {
  resolve(setup: SetupFrame, upgrade: IncomingMessage): Identity {
    const data = parseSetupData(setup.data);
    const userId = data.userId ?? queryUserId(upgrade);
    if (userId === undefined) {
      throw authRefusal('no user id: send SETUP data {"userId": "<id>"} or the userId query parameter (development identity mode)');
    }
    const problem = userIdProblem(userId);
    if (problem !== undefined) throw authRefusal(`userId ${problem}`);
    return { userId };
  }
}

function queryUserId(upgrade: IncomingMessage): string | undefined {
  const url = new URL(upgrade.url ?? '/', 'http://upgrade.invalid');
  return url.searchParams.get(USER_ID_QUERY_PARAM) ?? undefined;
}
