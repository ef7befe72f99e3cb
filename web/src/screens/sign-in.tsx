/** Sign-in with an API key: checked against the API, kept in sessionStorage, never put in the URL. */
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { useConsoleSession } from '../auth/console-session';

export function SignInScreen() {
  const session = useConsoleSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (session.apiKey) return <Navigate to="/sessions" replace />;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const key = String(new FormData(event.currentTarget).get('apiKey') ?? '').trim();
    if (!key) return setError('Enter an API key.');
    setBusy(true);
    setError(null);
    try {
      await session.signIn(key);
      void navigate('/sessions', { replace: true });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'sign-in-error' : undefined}>
        <h1>WhatsApp platform console</h1>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="wak_..."
          aria-invalid={error ? true : undefined}
          required
        />
        <p className="hint">The key stays in this tab only and is forgotten when you sign out or close it.</p>
        {error && (
          <p id="sign-in-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
