import { node, nowSeconds, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account } from '../world/types.js';
import { newServerIqId, pushToOnlineCompanions } from './context.js';
import type { SimContext } from './context.js';

/** One child of a pushed notification: a tag with attributes and, optionally, text content. */
export interface NotificationChild {
  tag: string;
  attrs?: Record<string, string>;
  text?: string;
}

/**
 * The server pushes notifications a client may not know or may not be able to parse: new types appear without
 * notice, payloads change shape (the 2026 drifts are all of this kind). A client must ack every one and carry on.
 * This pushes `<notification type=… from="s.whatsapp.net" id t>` with the given children to the account's online
 * companions (one id for all of them) and returns the id, or nothing when none is online.
 */
export const pushOddNotification = (
  ctx: SimContext,
  account: Account,
  type: string,
  children: NotificationChild[] = [],
): string[] => {
  const id = newServerIqId();
  const content: BinaryNode[] = children.map((c) =>
    node(c.tag, c.attrs ?? {}, c.text === undefined ? undefined : Buffer.from(c.text, 'utf8')),
  );
  const n = node('notification', { type, from: S_WHATSAPP_NET, id, t: nowSeconds() }, content);
  return pushToOnlineCompanions(ctx, account, n) > 0 ? [id] : [];
};
