import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jwtSubject } from '../../../src/sharing/jwt-subject.js';
import { sharingGroupName } from '../../../src/sharing/sharing-group.js';

const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object): string => `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;

describe('jwtSubject', () => {
  it('reads sub without verifying, including non-ASCII user ids', () => {
    assert.equal(jwtSubject(jwt({ sub: 'alice', exp: 1 })), 'alice');
    assert.equal(jwtSubject(jwt({ sub: 'zoë-ü' })), 'zoë-ü');
  });

  it('is undefined for opaque tokens, broken JSON, a missing or invalid sub', () => {
    assert.equal(jwtSubject('opaque-session-token'), undefined);
    assert.equal(jwtSubject('a.b.c'), undefined);
    assert.equal(jwtSubject(jwt({ name: 'no sub' })), undefined);
    assert.equal(jwtSubject(jwt({ sub: 42 })), undefined);
    assert.equal(jwtSubject(jwt({ sub: 'has{brace}' })), undefined);
    assert.equal(jwtSubject(jwt({ sub: '' })), undefined);
  });
});

describe('sharingGroupName', () => {
  it('differs by user, by token subject and by URL list, and names the protocol version', () => {
    const urls = ['ws://a.test/rsocket'];
    const names = [
      sharingGroupName(urls, { userId: 'alice' }),
      sharingGroupName(urls, { userId: 'bob' }),
      sharingGroupName(urls, { sub: 'alice' }),
      sharingGroupName(['ws://b.test/rsocket'], { userId: 'alice' }),
      sharingGroupName([...urls, 'ws://b.test/rsocket'], { userId: 'alice' }),
    ];
    assert.equal(new Set(names).size, names.length);
    assert.equal(sharingGroupName(urls, { userId: 'alice' }), names[0]);
    assert.match(names[0]!, /^notification-transport\/v1 /);
  });
});
