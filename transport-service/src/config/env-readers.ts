import { ConfigError } from './config-error.js';

/** A non-empty string variable, or the default when unset or empty. */
export function readString(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw.trim() !== raw) throw new ConfigError(name, `must not have leading or trailing spaces, got ${JSON.stringify(raw)}`);
  return raw;
}

/** An integer variable within [min, max]. */
export function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be from ${min} to ${max}, got ${value}`);
  return value;
}

/** One of the allowed values. */
export function readEnum<T extends string>(env: NodeJS.ProcessEnv, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/** `1`/`true` or `0`/`false`; unset is false. */
export function readFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(name, `must be 1 or 0, got ${JSON.stringify(raw)}`);
}

/** A secret of at least 32 bytes (HS256 wants a key as long as its hash); never echoed. */
export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (Buffer.byteLength(raw) < 32) throw new ConfigError(name, 'must be at least 32 bytes long (HS256)');
  return raw;
}

/** A comma-separated list of non-empty items without spaces; unset is empty. Values are never echoed (they may be secrets). */
export function readList(env: NodeJS.ProcessEnv, name: string): readonly string[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return [];
  const items = raw.split(',');
  if (items.some((item) => item === '' || /\s/.test(item))) {
    throw new ConfigError(name, 'must be a comma-separated list of non-empty values without spaces');
  }
  return items;
}
