import type { HttpRouteDefinition } from './http-routes.js';

/** Tenants, API keys, sessions, messages, chats, OpenAPI (DESIGN.md section 4). */
export const CONTROL_PLANE_ROUTES: readonly HttpRouteDefinition[] = [];
