#!/usr/bin/env node
import { loadConfig } from './config/config.js';
import { ConfigError } from './config/config-error.js';
import { createLogger } from './log/logger.js';
import { TransportServer } from './transport-server.js';

/** Starts one instance from the environment and shuts it down gracefully on SIGTERM/SIGINT (a second signal forces exit). */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`transport-service: configuration error: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel, config.instanceId);
  if (config.redisUrl === undefined && config.redisClusterNodes.length === 0) {
    logger.warn('REDIS_URL is unset: single instance on the in-process broker; notifications are not shared with other instances');
  }
  if (config.authJwtSecret === undefined) {
    logger.warn('AUTH_JWT_SECRET is unset: development identity mode, any client may claim any user id');
  } else {
    logger.info({ allowedOrigins: config.allowedOrigins }, 'JWT identity mode (HS256)');
  }
  if (config.initiatorApiKeys.length === 0) logger.warn('INITIATOR_API_KEYS is unset: the REST API is open to anyone who can reach it');
  if (config.allowInsecure) logger.warn('ALLOW_INSECURE=1: development modes allowed on a non-loopback address');

  const server = new TransportServer(config, logger);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed: exiting now');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1_000);
    deadline.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  await server.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`transport-service: failed to start: ${startFailure(error)}\n`);
  process.exit(1);
});

/** Why listening failed, naming the variable to change where the cause is the configuration. */
function startFailure(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'EADDRINUSE') return `PORT is already in use (${message ?? ''}); choose another PORT`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `HOST cannot be bound (${message ?? ''}); set HOST to an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`;
  }
  if (code === 'EACCES') return `PORT needs privileges to bind (${message ?? ''}); choose a PORT above 1023`;
  return message ?? String(error);
}
