/**
 * Writing to a contact: text, or a file (uploaded first, then sent by its media id), optionally as a reply.
 * The sent message appears at once as `queued` (the API stored it) and moves through its statuses live.
 * "Send as" offers the tenant's number pools besides this session: the pool picks the member (the contact's
 * number if it has one), and the composer says which one, with a link when it is not this session's chat.
 */
import { useState, type FormEvent } from 'react';
import { unwrap, type ApiClient } from '../../api/client';
import { usePoolsQuery, useSessionsQuery } from '../../api/queries';
import type { Message, SendMessageBody } from '../../api/types';
import { ErrorText } from '../../ui/error-text';
import { SendAsSelect, SentViaNote, sendAs, type SendAs, type SentVia } from './send-as';
import { messageText } from './use-thread';

/** What kind of message a file is sent as. */
export function mediaKind(mimeType: string): 'image' | 'video' | 'audio' | 'document' {
  if (/^image\/(jpeg|png|webp)$/.test(mimeType)) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

async function upload(api: ApiClient, file: File): Promise<string> {
  const result = await api.POST('/v1/media', {
    body: file as unknown as never,
    bodySerializer: (body: unknown) => body as BodyInit,
    headers: { 'content-type': file.type || 'application/octet-stream' },
  });
  return unwrap(result).id;
}

function mediaBody(kind: ReturnType<typeof mediaKind>, mediaId: string, file: File, caption: string) {
  const withCaption = caption ? { caption } : {};
  switch (kind) {
    case 'image':
      return { type: 'image', image: { mediaId, ...withCaption } } as const;
    case 'video':
      return { type: 'video', video: { mediaId, ...withCaption } } as const;
    case 'audio':
      return { type: 'audio', audio: { mediaId } } as const;
    case 'document':
      return {
        type: 'document',
        document: { mediaId, fileName: file.name || 'file', ...withCaption },
      } as const;
  }
}

export function Composer(props: {
  api: ApiClient;
  sessionId: string;
  to: string | undefined;
  replyTo: Message | undefined;
  onCancelReply: () => void;
  onSent: () => void;
}) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileInputKey, setFileInputKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [target, setTarget] = useState<SendAs>(`session:${props.sessionId}`);
  const [sent, setSent] = useState<SentVia | null>(null);
  const sessions = useSessionsQuery().data ?? [];
  const pools = usePoolsQuery().data ?? [];
  // This session only (sending as another means opening its chat); its id alone until the list has loaded.
  const own = sessions.find((s) => s.id === props.sessionId) ?? { id: props.sessionId };

  if (!props.to) {
    return (
      <p className="hint composer">This contact is known only by its LID: replies need its phone number.</p>
    );
  }
  const to = props.to;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim() && !file) return;
    setBusy(true);
    setError(null);
    try {
      const common = { to, ...(props.replyTo ? { replyTo: props.replyTo.id } : {}) };
      const content = file
        ? mediaBody(mediaKind(file.type), await upload(props.api, file), file, text.trim())
        : ({ type: 'text', text: { body: text } } as const);
      const body = { ...common, ...content } as SendMessageBody;
      setSent(await sendAs(props.api, target, body));
      setText('');
      setFile(null);
      setFileInputKey((k) => k + 1);
      props.onCancelReply();
      props.onSent();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="composer" onSubmit={(e) => void submit(e)} aria-label="Write a message">
      {props.replyTo && (
        <div className="replying" data-testid="replying">
          <span>Replying to: {messageText(props.replyTo)}</span>
          <button type="button" className="link" onClick={props.onCancelReply}>
            Cancel reply
          </button>
        </div>
      )}
      {file && <p className="hint">Attached: {file.name}</p>}
      {pools.length > 0 && (
        <div className="composer-send-as">
          <SendAsSelect
            id="composer-send-as"
            label="Send as"
            value={target}
            sessions={[own]}
            pools={pools}
            onChange={setTarget}
          />
        </div>
      )}
      <div className="composer-row">
        <label className="attach">
          <span className="visually-hidden">Attach a file</span>
          <span aria-hidden="true">＋</span>
          <input
            key={fileInputKey}
            type="file"
            data-testid="attach"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <label htmlFor="composer-text" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-text"
          rows={1}
          value={text}
          placeholder={file ? 'Caption (optional)' : 'Type a message'}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void submit(e);
            }
          }}
        />
        <button type="submit" disabled={busy}>
          Send
        </button>
      </div>
      {sent && <SentViaNote sent={sent} sessions={sessions} pools={pools} shownSessionId={props.sessionId} />}
      <ErrorText error={error} />
    </form>
  );
}
