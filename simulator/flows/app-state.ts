import { childOf, childrenNamed, iqResult, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { send } from './context.js';
import type { Session, SimContext } from './context.js';

/**
 * w:sync:app:state — every collection is empty and at the version the client already has. That is enough for
 * Baileys to finish its initial sync; app-state patches (archive, mute, labels...) are not simulated.
 */
export const onAppStateSync = async (_ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const collections = childrenNamed(childOf(iq, 'sync'), 'collection').map((c) =>
    node('collection', {
      name: c.attrs.name ?? '',
      version: c.attrs.version ?? '0',
      has_more_patches: 'false',
    }),
  );
  await send(session, iqResult(iq, [node('sync', {}, collections)]));
};
