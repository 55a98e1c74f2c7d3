import { readFileSync } from 'node:fs';
import type { RouteHandler } from './route-table.js';

/** One file of the demo page: where it is served, where it is read from, and its content type. */
export interface DemoAsset {
  path: string;
  file: URL;
  contentType: string;
}

/** The demo page's files, relative to this module in `dist/http/` (the page and the built browser client). */
export const DEMO_ASSETS: readonly DemoAsset[] = [
  { path: '/', file: new URL('../../demo/index.html', import.meta.url), contentType: 'text/html; charset=utf-8' },
  { path: '/demo/demo.js', file: new URL('../../demo/demo.js', import.meta.url), contentType: 'text/javascript; charset=utf-8' },
  { path: '/demo/demo.css', file: new URL('../../demo/demo.css', import.meta.url), contentType: 'text/css; charset=utf-8' },
  {
    path: '/demo/web-client.mjs',
    file: new URL('../../../web-client/dist/web-client.mjs', import.meta.url),
    contentType: 'text/javascript; charset=utf-8',
  },
];

/**
 * Handlers serving each demo file from memory (read once, at start): the page is for development, and reading a
 * handful of small files once keeps the request path free of disk access. Throws at start when a file is missing,
 * naming it (the browser client is built by `npm run build`).
 */
export function demoAssetHandlers(assets: readonly DemoAsset[] = DEMO_ASSETS): Array<[string, RouteHandler]> {
  return assets.map<[string, RouteHandler]>(({ path, file, contentType }) => {
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      throw new Error(`demo page file missing: ${file.pathname} (run npm run build, or set DEMO_PAGE=0)`);
    }
    const handler: RouteHandler = (ctx) => {
      ctx.type = contentType;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = body;
    };
    return [path, handler];
  }).concat([['/favicon.ico', noIcon]]);
}

/** Browsers ask for an icon; the demo has none, and a 404 would be noise in the console QA reads. */
const noIcon: RouteHandler = (ctx) => {
  ctx.status = 204;
};
