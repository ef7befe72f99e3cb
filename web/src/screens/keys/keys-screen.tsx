/** API keys: list, create with scopes (the key shown once), revoke. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ScopeSchema } from '../../../../shared/domain/scope';
import { unwrap } from '../../api/client';
import type { CreateApiKeyBody } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorText } from '../../ui/error-text';
import { Time } from '../../ui/time';

export default function KeysScreen() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<string | null>(null);
  const keys = useQuery({
    queryKey: queryKeys.apiKeys(),
    queryFn: async () => unwrap(await api.GET('/v1/api-keys', { params: { query: { limit: 100 } } })).items,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys() });
  const create = useMutation({
    mutationFn: async (body: CreateApiKeyBody) => unwrap(await api.POST('/v1/api-keys', { body })),
    onSuccess: async (created) => {
      setShown(created.key);
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: async (keyId: string) =>
      unwrap(await api.DELETE('/v1/api-keys/{keyId}', { params: { path: { keyId } } })),
    onSettled: refresh,
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const scopes = data.getAll('scopes').map(String) as NonNullable<CreateApiKeyBody['scopes']>;
    create.mutate(
      { name: String(data.get('name') ?? '').trim(), ...(scopes.length ? { scopes } : {}) },
      { onSuccess: () => form.reset() },
    );
  };

  return (
    <div className="screen">
      <h1>API keys</h1>
      <form className="panel" onSubmit={submit} aria-label="New API key">
        <label htmlFor="key-name">Name</label>
        <input id="key-name" name="name" required maxLength={100} placeholder="CRM integration" />
        <fieldset>
          <legend>Scopes (none ticked: all of this key's own)</legend>
          {ScopeSchema.options.map((scope) => (
            <label key={scope} className="check">
              <input type="checkbox" name="scopes" value={scope} />
              {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.isPending}>
          Create key
        </button>
      </form>
      {shown && (
        <div className="panel secret" role="status" data-testid="new-key">
          <p>The new key (shown once; store it now):</p>
          <code>{shown}</code>
          <button type="button" className="link" onClick={() => setShown(null)}>
            I stored it
          </button>
        </div>
      )}
      <ErrorText error={create.error ?? revoke.error ?? keys.error} />
      <div className="table-scroll">
        <table data-testid="keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data?.map((k) => (
              <tr key={k.id} data-testid="key-row" data-key-id={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.scopes.join(', ')}</td>
                <td>
                  <Time at={k.createdAt} />
                </td>
                <td>{k.lastUsedAt ? <Time at={k.lastUsedAt} /> : 'never'}</td>
                <td>
                  <ConfirmButton
                    label="Revoke"
                    question={`Revoke ${k.name}? Calls with it stop at once.`}
                    onConfirm={() => revoke.mutate(k.id)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
