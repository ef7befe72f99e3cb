/**
 * What a message shows beyond its content (issue #15): the "edited" mark with its earlier versions, the
 * deleted placeholder, a poll with its live tallies, and the actions on our own messages (edit text within
 * WhatsApp's 15 minutes, delete for everyone).
 */
import { useState, type FormEvent } from 'react';
import type { Message } from '../../api/types';
import { ConfirmButton } from '../../ui/confirm-button';
import { Time } from '../../ui/time';

/** WhatsApp's edit window; the API answers 409 `edit-window-passed` after it, so the button goes away. */
const EDIT_WINDOW_MS = 15 * 60 * 1000;

/** "edited", expandable to the earlier versions (oldest first), each with when it was replaced. */
export function EditedMark(props: { message: Message }) {
  const history = props.message.editHistory ?? [];
  return (
    <details className="edited" data-testid="edited">
      <summary title={history.map((h) => h.body).join('\n')}>edited</summary>
      <ol className="edit-history" aria-label="Earlier versions" data-testid="edit-history">
        {history.map((h) => (
          <li key={h.replacedAt}>
            <span>{h.body}</span> <Time at={h.replacedAt} />
          </li>
        ))}
      </ol>
    </details>
  );
}

export function RevokedContent() {
  return (
    <p className="text revoked" data-testid="revoked">
      🚫 This message was deleted
    </p>
  );
}

type PollMessage = Extract<Message['content'], { type: 'poll' }>['poll'];

/** The question, each option with its count (a bar for its share) and who chose it. */
export function PollView(props: { poll: PollMessage }) {
  const { poll } = props;
  const total = poll.options.reduce((sum, o) => sum + o.count, 0);
  return (
    <figure className="poll" data-testid="poll">
      <figcaption>📊 {poll.name}</figcaption>
      <p className="hint">
        {poll.selectableCount > 1 ? `Choose up to ${poll.selectableCount}` : 'Choose one'}
      </p>
      <ul>
        {poll.options.map((o) => (
          <li key={o.name} data-testid="poll-option" data-option={o.name} data-count={o.count}>
            <span className="poll-name">{o.name}</span>
            <span className="poll-count" aria-label={`${o.count} votes`}>
              {o.count}
            </span>
            <span className="poll-bar" style={{ width: `${total ? (o.count / total) * 100 : 0}%` }} />
            {o.voters.length > 0 && <span className="hint poll-voters">{o.voters.join(', ')}</span>}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Whether our message may still be edited (a sent text within the window) or revoked (sent, not revoked). */
export function ownActions(m: Message, now = Date.now()): { canEdit: boolean; canRevoke: boolean } {
  const accepted = m.direction === 'outbound' && m.waMessageId !== undefined && !m.revoked;
  const isSent = ['sent', 'delivered', 'read'].includes(m.status);
  const sentAt = m.statusHistory.find((s) => s.status === 'sent')?.at ?? m.createdAt;
  return {
    canEdit: accepted && isSent && m.content.type === 'text' && now - Date.parse(sentAt) <= EDIT_WINDOW_MS,
    canRevoke: accepted && isSent && m.content.type !== 'revoked',
  };
}

/** Edit (an inline form with the current text) and delete for everyone (asks once more). */
export function OwnMessageActions(props: {
  message: Message;
  canEdit: boolean;
  canRevoke: boolean;
  onEdit: (text: string) => Promise<void>;
  onRevoke: () => void;
}) {
  const current = props.message.content.type === 'text' ? props.message.content.text.body : '';
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(current);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim() || text === current) return;
    await props.onEdit(text);
    setEditing(false);
  };
  if (editing) {
    return (
      <form className="edit-form" aria-label="Edit this message" onSubmit={(e) => void submit(e)}>
        <label htmlFor={`edit-${props.message.id}`} className="visually-hidden">
          New text
        </label>
        <input
          id={`edit-${props.message.id}`}
          value={text}
          autoFocus
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Save edit</button>
        <button type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </form>
    );
  }
  return (
    <>
      {props.canEdit && (
        <button
          type="button"
          className="link"
          onClick={() => {
            setText(current);
            setEditing(true);
          }}
          aria-label="Edit this message"
        >
          Edit
        </button>
      )}
      {props.canRevoke && (
        <ConfirmButton label="Delete" question="Delete for everyone?" onConfirm={props.onRevoke} />
      )}
    </>
  );
}
