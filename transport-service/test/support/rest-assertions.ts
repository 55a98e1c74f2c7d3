import assert from 'node:assert/strict';

/** Asserts a contract error: the status, JSON `{"error":{"code","message"}}` and nothing else, a message matching `message`. */
export async function assertRestError(res: Response, status: number, code: string, message: RegExp): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, `status of ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(body.error.code, code);
  assert.match(body.error.message, message);
  return body.error.message;
}
