export { loadConfig, type Config } from './config/config.js';
export { ConfigError } from './config/config-error.js';
export { createLogger, type Logger } from './log/logger.js';
export { TransportServer } from './transport-server.js';
export { ENDINGS, type Ending, type EndingName } from './rsocket/endings.js';
