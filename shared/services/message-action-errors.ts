/** Why an edit or a revoke is refused (409s with stable problem types; docs/api.md, "Edit and revoke"). */
import { AppError } from '../domain/errors.js';

/** WhatsApp lets a sender edit for 15 minutes after sending; later edits would be ignored by the phones. */
export class EditWindowPassedError extends AppError {
  readonly status = 409;
  readonly slug = 'edit-window-passed';
  readonly title = 'The edit window has passed';
}

/** Only our own messages can be edited or revoked through the API (a contact's belong to the contact). */
export class NotOwnMessageError extends AppError {
  readonly status = 409;
  readonly slug = 'not-own-message';
  readonly title = 'Not a message this session sent';
}

/** The message cannot take this action now: not sent yet, failed, revoked, or (edit) not a text message. */
export class MessageNotActionableError extends AppError {
  readonly status = 409;
  readonly slug = 'message-not-actionable';
  readonly title = 'The message cannot be changed this way';
}
