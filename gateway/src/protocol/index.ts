export * from './cluster.js';
export * from './error-codes.js';
export * from './events.js';
export * from './frames.js';
export * from './limits.js';
