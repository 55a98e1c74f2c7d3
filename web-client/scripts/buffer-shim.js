// Injected by esbuild into the browser bundles: every free `Buffer` in the bundled code (rsocket-js uses Node's
// Buffer) becomes an import of the `buffer` package. Nothing is assigned to `window` or any other global.
export { Buffer } from 'buffer';
