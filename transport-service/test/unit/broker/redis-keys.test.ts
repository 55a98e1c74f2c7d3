import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisKeys } from '../../../src/broker/redis-keys.js';

describe('redisKeys.userOfChannel', () => {
  it('gives back the user of every user channel, whatever the user id holds', () => {
    for (const userId of ['alice', 'a', 'user:42', 'Ünïcødé-пользователь-😀', 'nt:{x', 'x}']) {
      assert.equal(redisKeys.userOfChannel(Buffer.from(redisKeys.channel(userId))), userId);
    }
  });

  it('gives nothing for a name that is not a user channel', () => {
    for (const name of ['nt:evict:instance-1', 'nt:{}', 'nt:{', 'nt:', '', 'xt:{alice}', 'nt:{alice}:h', 'nt:{alice']) {
      assert.equal(redisKeys.userOfChannel(Buffer.from(name)), undefined, name);
    }
  });
});
