import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Token-bearing fields are censored wherever they are logged: tokens never appear in logs (the contract). */
export const LOG_REDACT_PATHS: readonly string[] = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];

/** The root logger: JSON lines on stdout, one child per module (`logger.child({ module })`). */
export function createLogger(level: string, instance: string): Logger {
  return pino({ level, base: { instance }, redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' } });
}
