export * from './endpoints.js';
export * from './error-codes.js';
export * from './identifiers.js';
export * from './mime-types.js';
export * from './notification.js';
export * from './notification-id.js';
export * from './reasons.js';
export * from './setup.js';
