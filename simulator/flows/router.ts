import { childrenOf, iqError } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { onAppStateSync } from './app-state.js';
import { send } from './context.js';
import type { Session, SimContext } from './context.js';
import { miscIqHandlers, onUnknownIq } from './iq-misc.js';
import { onRemoveCompanion } from './logout.js';
import { onMediaConn } from './media-conn.js';
import { onMediaRetryRequest } from './media-retry.js';
import { onPairDeviceSign } from './pair.js';
import { onClientCall } from './calls.js';
import { onClientChatState, onClientPresence } from './presence.js';
import { onBlocklistGet, onBlocklistSet, onBusinessProfile, onProfilePicture } from './profile.js';
import { onRefreshAck } from './pair-refresh.js';
import { onLinkCodeIq } from './pair-code.js';
import type { CodeRequests } from './pair-code.js';
import { onDigest, onKeyFetch, onPreKeyCount, onPreKeyUpload, onSignedPreKeyRotate } from './prekeys.js';
import { onClientReceipt } from './receipts.js';
import { onClientMessage } from './send.js';
import { groupIqHandlers } from './groups.js';
import { isGroupJid, onGroupMessage } from './group-send.js';
import { onMexQuery } from './timelock.js';
import { onOfflineHeadAck } from './offline-queue.js';
import { onUSync } from './usync.js';

type Handler = (ctx: SimContext, session: Session, iq: BinaryNode) => Promise<void>;

/** IQs keyed by `${xmlns}:${first child tag}`; all but the registration ones need a logged-in device. */
const LOGGED_IN_IQS: Record<string, Handler> = {
  ...miscIqHandlers,
  ...groupIqHandlers,
  'encrypt:count': onPreKeyCount,
  'encrypt:registration': onPreKeyUpload,
  'encrypt:rotate': onSignedPreKeyRotate,
  'encrypt:digest': onDigest,
  'encrypt:key': onKeyFetch,
  'usync:usync': onUSync,
  'md:remove-companion-device': onRemoveCompanion,
  'w:sync:app:state:sync': onAppStateSync,
  'w:m:media_conn': onMediaConn,
  'w:mex:query': onMexQuery,
  'w:profile:picture:picture': onProfilePicture,
  'w:biz:business_profile': onBusinessProfile,
  'blocklist:': onBlocklistGet,
  'blocklist:item': onBlocklistSet,
};

const iqKey = (iq: BinaryNode): string => `${iq.attrs.xmlns ?? ''}:${childrenOf(iq)[0]?.tag ?? ''}`;

/** Routes a decrypted stanza from a companion to the flow that owns it. */
export const routeStanza = async (
  ctx: SimContext,
  codeRequests: CodeRequests,
  session: Session,
  stanza: BinaryNode,
): Promise<void> => {
  const loggedIn = session.account !== undefined;
  switch (stanza.tag) {
    case 'iq': {
      const { type } = stanza.attrs;
      if (type === 'result' || type === 'error') {
        await onPairDeviceSign(ctx, session, stanza);
        return;
      }
      const key = iqKey(stanza);
      if (key === 'md:link_code_companion_reg') {
        await onLinkCodeIq(ctx, codeRequests, session, stanza);
        return;
      }
      if (key === 'w:p:ping') {
        await LOGGED_IN_IQS[key]?.(ctx, session, stanza);
        return;
      }
      if (!loggedIn) {
        await send(session, iqError(stanza, 401, 'not-authorized'));
        return;
      }
      await (LOGGED_IN_IQS[key] ?? onUnknownIq)(ctx, session, stanza);
      return;
    }
    case 'message':
      if (loggedIn && isGroupJid(stanza.attrs.to)) await onGroupMessage(ctx, session, stanza);
      else if (loggedIn) await onClientMessage(ctx, session, stanza);
      return;
    case 'receipt':
      if (loggedIn && stanza.attrs.type === 'server-error') await onMediaRetryRequest(ctx, session, stanza);
      else if (loggedIn) await onClientReceipt(ctx, session, stanza);
      return;
    case 'ack':
      if (loggedIn) await onOfflineHeadAck(ctx, session, stanza);
      onRefreshAck(ctx, session, stanza);
      return;
    case 'presence':
      if (loggedIn) await onClientPresence(ctx, session, stanza);
      return;
    case 'chatstate':
      if (loggedIn) await onClientChatState(ctx, session, stanza);
      return;
    case 'call':
      if (loggedIn) await onClientCall(ctx, session, stanza);
      return;
    default:
      // ib (unified_session, offline_batch): accepted, nothing to simulate.
      return;
  }
};
