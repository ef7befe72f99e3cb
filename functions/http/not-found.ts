import { NotFoundError } from '../../shared/domain/index.js';
import { httpRoute } from './route.js';

/**
 * `$default`: every method/path no other route claims. Answers a 404 problem naming the path, so a typo in a
 * client's URL reads as such instead of API Gateway's bare `{"message":"Not Found"}`.
 */
export const handler = httpRoute({
  handler: ({ event }) => {
    throw new NotFoundError(`No route for ${event.requestContext.http.method} ${event.rawPath}`);
  },
});
