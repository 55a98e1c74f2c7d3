import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './cleanup.js';

/** What a path serves: a file read at request time, or fixed text; both with their content type. */
export type StaticEntry = { file: string; contentType: string } | { text: string; contentType: string };

/** A `node:http` server on 127.0.0.1 port 0 serving exactly `entries` (404 for anything else), closed when the test file ends. */
export async function startStaticServer(entries: Readonly<Record<string, StaticEntry>>): Promise<{ url: string }> {
  const server = createServer((request, response) => {
    const entry = entries[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (entry === undefined) {
      response.writeHead(404).end();
      return;
    }
    const body = 'file' in entry ? readFile(entry.file) : Promise.resolve(Buffer.from(entry.text));
    body.then(
      (bytes) => response.writeHead(200, { 'content-type': entry.contentType, 'cache-control': 'no-store' }).end(bytes),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
