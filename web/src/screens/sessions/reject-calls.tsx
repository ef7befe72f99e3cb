/** A session's call setting: reject incoming calls automatically, with an optional text reply to the caller. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { unwrap } from '../../api/client';
import type { Session } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ErrorText } from '../../ui/error-text';

export function RejectCallsSetting(props: { session: Session }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const current = props.session.rejectCalls;
  const [enabled, setEnabled] = useState(current?.enabled ?? false);
  const [reply, setReply] = useState(current?.reply ?? '');
  const save = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.PATCH('/v1/sessions/{sessionId}', {
          params: { path: { sessionId: props.session.id } },
          body: { rejectCalls: { enabled, ...(reply.trim() ? { reply: reply.trim() } : {}) } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.sessions() }),
  });
  const id = `reject-calls-${props.session.id}`;

  return (
    <form
      className="reject-calls"
      aria-label="Calls"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
        />{' '}
        Reject calls automatically
      </label>
      <label htmlFor={`${id}-reply`}>Reply to the caller (optional)</label>
      <input
        id={`${id}-reply`}
        value={reply}
        maxLength={1000}
        disabled={!enabled}
        onChange={(e) => setReply(e.currentTarget.value)}
      />
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      {save.isSuccess && <span className="hint"> Saved</span>}
      <ErrorText error={save.error} />
    </form>
  );
}
