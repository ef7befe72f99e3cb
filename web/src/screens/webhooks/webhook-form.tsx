/** The fields of a webhook subscription: URL, description, events (or all), session filter, enabled. */
import type { FormEvent } from 'react';
import { EventTypeSchema } from '../../../../shared/domain/events';
import type { CreateWebhookBody, Webhook } from '../../api/types';

export type WebhookFormValue = CreateWebhookBody;

export function WebhookForm(props: {
  initial?: Webhook;
  submitLabel: string;
  busy: boolean;
  onSubmit: (value: WebhookFormValue) => void;
  onCancel?: () => void;
}) {
  const initialEvents = Array.isArray(props.initial?.events) ? (props.initial.events as string[]) : ['*'];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const events = form.getAll('events').map(String) as WebhookFormValue['events'];
    const sessions = String(form.get('sessionIds') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    const description = String(form.get('description') ?? '').trim();
    props.onSubmit({
      url: String(form.get('url') ?? '').trim(),
      ...(description ? { description } : {}),
      events: events?.length ? events : ['*'],
      ...(sessions.length ? { sessionIds: sessions } : {}),
      enabled: form.get('enabled') === 'on',
    });
  };
  const idPrefix = props.initial?.id ?? 'new';
  return (
    <form className="webhook-form" onSubmit={submit}>
      <label htmlFor={`${idPrefix}-url`}>Endpoint URL (https)</label>
      <input id={`${idPrefix}-url`} name="url" type="url" required defaultValue={props.initial?.url} />
      <label htmlFor={`${idPrefix}-description`}>Description</label>
      <input id={`${idPrefix}-description`} name="description" defaultValue={props.initial?.description} />
      <fieldset>
        <legend>Events</legend>
        {['*', ...EventTypeSchema.options].map((type) => (
          <label key={type} className="check">
            <input type="checkbox" name="events" value={type} defaultChecked={initialEvents.includes(type)} />
            {type === '*' ? 'All events' : type}
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${idPrefix}-sessions`}>Only these session ids (blank: all)</label>
      <input
        id={`${idPrefix}-sessions`}
        name="sessionIds"
        defaultValue={props.initial?.sessionIds?.join(', ')}
        placeholder="01J…, 01J…"
      />
      <label className="check">
        <input type="checkbox" name="enabled" defaultChecked={props.initial?.enabled ?? true} />
        Enabled
      </label>
      <div className="actions">
        <button type="submit" disabled={props.busy}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
