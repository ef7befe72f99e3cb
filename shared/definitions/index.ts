export * from './tables.js';
export * from './queues.js';
export * from './event-rules.js';
export * from './http-routes.js';
export * from './ws-routes.js';
