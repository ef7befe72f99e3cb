/**
 * The group of an open group chat: subject, description, settings and members (the stored copy, `GET
 * .../groups/{groupId}`), and the admin actions: rename, announce-only and locked settings, add a member by
 * number, promote / demote / remove a member, the invite link. WhatsApp's refusals (403 not an admin) show as
 * the API words them.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap, type ApiClient } from '../../api/client';
import { ErrorText } from '../../ui/error-text';

type MemberAction = 'add' | 'remove' | 'promote' | 'demote';

export function GroupPanel(props: { api: ApiClient; sessionId: string; groupId: string }) {
  const { api, sessionId, groupId } = props;
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [newMember, setNewMember] = useState('');
  const [invite, setInvite] = useState<string | undefined>();
  const path = { sessionId, groupId };
  const queryKey = ['group', sessionId, groupId];
  const group = useQuery({
    queryKey,
    queryFn: async () =>
      unwrap(await api.GET('/v1/sessions/{sessionId}/groups/{groupId}', { params: { path } })),
  });

  const run = async (work: () => Promise<string | void>) => {
    setError(null);
    setNote('');
    try {
      const said = await work();
      if (said) setNote(said);
      await queryClient.invalidateQueries({ queryKey });
    } catch (e) {
      setError(e);
    }
  };

  const members = (action: MemberAction, phone: string) =>
    run(async () => {
      const answer = unwrap(
        await api.POST('/v1/sessions/{sessionId}/groups/{groupId}/participants', {
          params: { path },
          body: { action, participants: [phone] },
        }),
      );
      const failed = answer.results.filter((r) => r.status === 'failed');
      return failed.map((r) => `${r.phone ?? r.lid}: ${r.reason ?? r.code}`).join('; ');
    });

  const settings = (body: { subject?: string; announce?: boolean; locked?: boolean }) =>
    run(async () => {
      unwrap(await api.PATCH('/v1/sessions/{sessionId}/groups/{groupId}', { params: { path }, body }));
    });

  const add = (e: FormEvent) => {
    e.preventDefault();
    const phone = newMember.trim();
    if (phone) void members('add', phone).then(() => setNewMember(''));
  };

  const g = group.data;
  return (
    <aside className="contact-panel group-panel" aria-label="Group" data-testid="group-panel">
      {group.isPending && <p className="hint">Loading the group…</p>}
      {g && (
        <>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              const subject = new FormData(e.currentTarget).get('subject');
              if (typeof subject === 'string' && subject.trim()) void settings({ subject: subject.trim() });
            }}
          >
            <label htmlFor="group-subject">Subject</label>
            <input
              id="group-subject"
              name="subject"
              defaultValue={g.subject}
              key={g.subject}
              maxLength={100}
            />
            <button type="submit">Rename</button>
          </form>
          {g.description && <p className="hint">{g.description}</p>}
          <label>
            <input
              type="checkbox"
              checked={g.announce}
              onChange={(e) => void settings({ announce: e.currentTarget.checked })}
            />{' '}
            Only admins send messages
          </label>
          <label>
            <input
              type="checkbox"
              checked={g.locked}
              onChange={(e) => void settings({ locked: e.currentTarget.checked })}
            />{' '}
            Only admins edit group info
          </label>
          {g.left && <p className="hint">The account is no longer in this group.</p>}
          <h3>{g.size} members</h3>
          <ul className="members" data-testid="group-members">
            {g.participants.map((p) => {
              const id = p.phone ?? p.lid ?? '';
              return (
                <li key={id} data-testid="group-member" data-member={id} data-role={p.role}>
                  <span>{p.phone ?? `LID ${p.lid}`}</span> {p.role !== 'member' && <em>{p.role}</em>}
                  {p.phone && p.role !== 'superadmin' && (
                    <span className="member-actions">
                      <button
                        type="button"
                        className="link"
                        onClick={() => void members(p.role === 'admin' ? 'demote' : 'promote', p.phone!)}
                      >
                        {p.role === 'admin' ? 'Demote' : 'Make admin'}
                      </button>
                      <button type="button" className="link" onClick={() => void members('remove', p.phone!)}>
                        Remove
                      </button>
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
          <form className="inline" onSubmit={add}>
            <label htmlFor="group-add">Add by number</label>
            <input
              id="group-add"
              type="tel"
              placeholder="+15551234567"
              value={newMember}
              onChange={(e) => setNewMember(e.currentTarget.value)}
            />
            <button type="submit">Add</button>
          </form>
          <button
            type="button"
            onClick={() =>
              void run(async () => {
                const link = unwrap(
                  await api.GET('/v1/sessions/{sessionId}/groups/{groupId}/invite', { params: { path } }),
                );
                setInvite(link.link);
              })
            }
          >
            Invite link
          </button>
          {invite && (
            <p data-testid="group-invite">
              <code>{invite}</code>
            </p>
          )}
        </>
      )}
      {note && (
        <p className="hint" data-testid="group-note">
          {note}
        </p>
      )}
      <ErrorText error={error ?? group.error} />
    </aside>
  );
}
