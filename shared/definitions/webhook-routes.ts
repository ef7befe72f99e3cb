import type { HttpRouteDefinition } from './http-routes.js';

/** Webhook subscriptions, their delivery log and replay, and browser WebSocket tickets. */
export const WEBHOOK_ROUTES: readonly HttpRouteDefinition[] = [];
