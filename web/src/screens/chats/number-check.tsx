/**
 * Which numbers are on WhatsApp, for the chosen session: up to 50 at a time, one per line or comma-separated.
 * Answers the session checked within a day come from its cache (marked), so re-checking costs nothing.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { unwrap, type ApiClient } from '../../api/client';
import { ErrorText } from '../../ui/error-text';

export function NumberCheck(props: { api: ApiClient; sessionId: string }) {
  const [text, setText] = useState('');
  const check = useMutation({
    mutationFn: async (phones: string[]) =>
      unwrap(
        await props.api.POST('/v1/sessions/{sessionId}/contacts/check', {
          params: { path: { sessionId: props.sessionId } },
          body: { phones },
        }),
      ).results,
  });
  const phones = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);

  return (
    <details className="number-check">
      <summary>Check numbers</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          check.mutate(phones);
        }}
      >
        <label htmlFor="check-phones">Numbers (E.164, up to 50)</label>
        <textarea
          id="check-phones"
          rows={3}
          value={text}
          placeholder="+15557654321"
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" disabled={phones.length === 0 || check.isPending}>
          Check
        </button>
      </form>
      <ErrorText error={check.error} />
      {check.data && (
        <ul className="check-results" data-testid="check-results">
          {check.data.map((r) => (
            <li key={r.phone} data-phone={r.phone} data-exists={r.exists}>
              {r.phone}: {r.exists ? 'on WhatsApp' : 'not on WhatsApp'}
              {r.cached && <span className="hint"> (checked earlier today)</span>}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
