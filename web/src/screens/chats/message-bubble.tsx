/** One message in a thread: quote, content, reactions, time, and for outbound ones the ticks or the failure. */
import type { Message } from '../../api/types';
import { Time } from '../../ui/time';
import { DownloadLink, InlineImage } from './media-content';
import { EditedMark, OwnMessageActions, PollView, RevokedContent, ownActions } from './message-extras';
import { messageText } from './use-thread';

const TICKS: Record<Message['status'], { mark: string; label: string }> = {
  queued: { mark: '○', label: 'queued' },
  sending: { mark: '○', label: 'sending' },
  sent: { mark: '✓', label: 'sent' },
  delivered: { mark: '✓✓', label: 'delivered' },
  read: { mark: '✓✓', label: 'read' },
  failed: { mark: '⚠', label: 'failed' },
};

const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

export function MessageBubble(props: {
  message: Message;
  quoted: Message | undefined;
  reactions: readonly string[];
  canAct: boolean;
  /** In a group: name who wrote each incoming message. */
  showSender?: boolean;
  onReply: () => void;
  onReact: (emoji: string) => void;
  onEdit: (text: string) => Promise<void>;
  onRevoke: () => void;
}) {
  const m = props.message;
  const tick = TICKS[m.status];
  const own = ownActions(m);
  return (
    <li
      className={`bubble ${m.direction}`}
      data-testid="message"
      data-message-id={m.id}
      data-direction={m.direction}
      data-status={m.status}
      data-edited={m.edited ? 'true' : undefined}
      data-revoked={m.revoked ? 'true' : undefined}
    >
      {m.replyTo && (
        <blockquote className="quote" data-testid="quote">
          {props.quoted ? messageText(props.quoted) : 'A earlier message'}
        </blockquote>
      )}
      {props.showSender && m.direction === 'inbound' && (
        <p className="sender" data-testid="sender">
          {senderName(m)}
        </p>
      )}
      <Content message={m} />
      {props.reactions.length > 0 && (
        <p
          className="reactions"
          data-testid="reactions"
          aria-label={`Reactions: ${props.reactions.join(' ')}`}
        >
          {props.reactions.join(' ')}
        </p>
      )}
      <p className="meta">
        {m.edited && !m.revoked && <EditedMark message={m} />}
        <Time at={m.createdAt} />
        {m.direction === 'outbound' && (
          <span
            className={`tick tick-${m.status}`}
            data-testid="tick"
            aria-label={tick.label}
            title={tick.label}
          >
            {' '}
            {tick.mark}
          </span>
        )}
      </p>
      {m.status === 'failed' && m.error && (
        <p className="error-text" data-testid="failure">
          Not sent: {m.error.message} <code>{m.error.code}</code>
        </p>
      )}
      {props.canAct && !m.revoked && (
        <div className="message-actions">
          <button type="button" className="link" onClick={props.onReply} aria-label="Reply to this message">
            Reply
          </button>
          <details className="react-menu">
            <summary aria-label="React to this message">React</summary>
            <div role="group" aria-label="Reactions">
              {REACTIONS.map((emoji) => (
                <button
                  key={emoji}
                  type="button"
                  onClick={() => props.onReact(emoji)}
                  aria-label={`React ${emoji}`}
                >
                  {emoji}
                </button>
              ))}
            </div>
          </details>
          <OwnMessageActions
            message={m}
            canEdit={own.canEdit}
            canRevoke={own.canRevoke}
            onEdit={props.onEdit}
            onRevoke={props.onRevoke}
          />
        </div>
      )}
    </li>
  );
}

/** The member's WhatsApp name when the message carried one, else its number, else its LID. */
function senderName(m: Message): string {
  const who = m.participant ?? m.from;
  const id = who?.phone ?? (who?.lid ? `LID ${who.lid}` : 'Someone');
  return m.pushName ? `${m.pushName} (${id})` : id;
}

function Content(props: { message: Message }) {
  const c = props.message.content;
  switch (c.type) {
    case 'text':
      return <p className="text">{c.text.body}</p>;
    case 'image':
      return (
        <figure>
          {c.image.mediaId ? (
            <InlineImage mediaId={c.image.mediaId} alt={c.image.caption ?? 'Image'} />
          ) : (
            <p className="error-text">{c.image.mediaError ? 'The image expired on WhatsApp.' : 'Image'}</p>
          )}
          {c.image.caption && <figcaption>{c.image.caption}</figcaption>}
        </figure>
      );
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const media =
        c.type === 'video'
          ? c.video
          : c.type === 'audio'
            ? c.audio
            : c.type === 'document'
              ? c.document
              : c.sticker;
      const fileName = c.type === 'document' ? c.document.fileName : `${c.type}-${props.message.id}`;
      return (
        <p className="text">
          {messageText(props.message)}{' '}
          {media.mediaId ? (
            <DownloadLink mediaId={media.mediaId} fileName={fileName} />
          ) : (
            media.mediaError && <span className="error-text">(expired)</span>
          )}
        </p>
      );
    }
    case 'revoked':
      return <RevokedContent />;
    case 'poll':
      return <PollView poll={c.poll} />;
    default:
      return <p className="text">{messageText(props.message)}</p>;
  }
}
