/**
 * Compose a poll: a question, 2-12 options (one per line), single or multiple choice. Sent like any message;
 * its tallies fill in live as the contact votes (`poll.vote`). The API checks the rules again and names the
 * field it refuses.
 */
import { useState, type FormEvent } from 'react';
import { unwrap, type ApiClient } from '../../api/client';
import { ErrorText } from '../../ui/error-text';

export function PollComposer(props: { api: ApiClient; sessionId: string; to: string; onSent: () => void }) {
  const [name, setName] = useState('');
  const [optionsText, setOptionsText] = useState('');
  const [multiple, setMultiple] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);

  const options = optionsText
    .split('\n')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      unwrap(
        await props.api.POST('/v1/sessions/{sessionId}/messages', {
          params: { path: { sessionId: props.sessionId } },
          body: {
            to: props.to,
            type: 'poll',
            poll: { name, options, selectableCount: multiple ? options.length : 1 },
          },
        }),
      );
      setName('');
      setOptionsText('');
      setMultiple(false);
      setOpen(false);
      props.onSent();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="poll-composer" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Create a poll</summary>
      <form aria-label="Create a poll" onSubmit={(e) => void submit(e)}>
        <label>
          Question
          <input value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={255} />
        </label>
        <label>
          Options (one per line, 2-12)
          <textarea rows={3} value={optionsText} onChange={(e) => setOptionsText(e.currentTarget.value)} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={multiple} onChange={(e) => setMultiple(e.currentTarget.checked)} />
          Allow several answers
        </label>
        <button type="submit" disabled={busy || !name.trim() || options.length < 2}>
          Send poll
        </button>
        <ErrorText error={error} />
      </form>
    </details>
  );
}
