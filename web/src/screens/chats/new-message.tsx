/**
 * Starting a conversation: a text to a number, sent as one of the tenant's sessions or through a number pool.
 * Once the API took it, the chat of the session that holds it (the pool's member) is opened, and the form says
 * which number sent it; the thread then shows the message moving through its statuses.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { ApiClient } from '../../api/client';
import { usePoolsQuery, useSessionsQuery } from '../../api/queries';
import { queryKeys } from '../../live/query-keys';
import { ErrorText } from '../../ui/error-text';
import { SendAsSelect, SentViaNote, chatPath, sendAs, type SendAs, type SentVia } from './send-as';

export function NewMessage(props: { api: ApiClient; sessionId: string | undefined }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sessions = useSessionsQuery().data ?? [];
  const pools = usePoolsQuery().data ?? [];
  const [chosen, setChosen] = useState<SendAs | null>(null);
  const [to, setTo] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<SentVia | null>(null);
  const fallback = props.sessionId ?? sessions[0]?.id;
  const target = chosen ?? (fallback ? (`session:${fallback}` as const) : null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!target || !to.trim() || !text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const via = await sendAs(props.api, target, { to: to.trim(), type: 'text', text: { body: text } });
      setSent(via);
      setText('');
      // The send wrote the chat: read the member's list again so the thread can open.
      await queryClient.invalidateQueries({ queryKey: queryKeys.chats(via.sessionId) });
      await navigate(chatPath(via.sessionId, via.to));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="new-message" data-testid="new-message">
      <summary>New message</summary>
      <form onSubmit={(e) => void submit(e)} aria-label="New message">
        {target && (
          <SendAsSelect
            id="new-message-send-as"
            label="Send as"
            value={target}
            sessions={sessions}
            pools={pools}
            onChange={setChosen}
          />
        )}
        <label htmlFor="new-message-to">To (E.164)</label>
        <input
          id="new-message-to"
          value={to}
          required
          placeholder="+15557654321"
          onChange={(e) => setTo(e.currentTarget.value)}
        />
        <label htmlFor="new-message-text">Text</label>
        <textarea
          id="new-message-text"
          rows={2}
          value={text}
          required
          maxLength={4096}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy || !target}>
          Start conversation
        </button>
      </form>
      {sent && <SentViaNote sent={sent} sessions={sessions} pools={pools} shownSessionId={props.sessionId} />}
      <ErrorText error={error} />
    </details>
  );
}
