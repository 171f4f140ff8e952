import type { ComponentChildren } from 'preact';
import { usePage } from './render.js';

/** The hidden CSRF token every POST form carries; the UI plugin refuses unsafe requests without a valid one. */
export function CsrfField() {
  return <input type="hidden" name="_csrf" value={usePage().csrfToken()} />;
}

export function ErrorMessage({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div class="alert" role="alert">
      <p>{message}</p>
    </div>
  );
}

interface TextFieldProps {
  label: string;
  name: string;
  type?: 'text' | 'password' | 'email' | 'url';
  value?: string | undefined;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
}

/** A labelled input; the hint is tied to it with aria-describedby. */
export function TextField({ label, name, type = 'text', value, required = false, autocomplete, hint }: TextFieldProps) {
  const id = `field-${name}`;
  const input = { id, name, value: value ?? '', required, autocomplete, 'aria-describedby': hint ? `${id}-hint` : undefined };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {type === 'password' ? (
        <input {...input} type="password" />
      ) : type === 'email' ? (
        <input {...input} type="email" />
      ) : (
        <input {...input} type="text" />
      )}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

interface TextAreaFieldProps {
  label: string;
  name: string;
  value?: string | undefined;
  required?: boolean;
  rows?: number;
  hint?: string;
}

export function TextAreaField({ label, name, value, required = false, rows = 3, hint }: TextAreaFieldProps) {
  const id = `field-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} name={name} rows={rows} required={required} aria-describedby={hint ? `${id}-hint` : undefined}>
        {value ?? ''}
      </textarea>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function CheckboxField({ label, name, checked = false }: { label: string; name: string; checked?: boolean }) {
  const id = `field-${name}`;
  return (
    <div class="field checkbox">
      <input id={id} name={name} type="checkbox" value="on" checked={checked} />
      <label for={id}>{label}</label>
    </div>
  );
}

interface PostButtonProps {
  action: string;
  children: ComponentChildren;
  /** Completes the button's accessible name where the visible label repeats per row ("Disable" → "Disable alice"). */
  subject?: string;
  variant?: 'primary' | 'secondary' | 'danger';
}

/** A one-button form: the safe way to trigger a change from a link-like control. */
export function PostButton({ action, children, subject, variant = 'secondary' }: PostButtonProps) {
  return (
    <form method="post" action={action} class="inline-form">
      <CsrfField />
      <button type="submit" class={`button ${variant}`}>
        {children}
        {subject && <span class="visually-hidden"> {subject}</span>}
      </button>
    </form>
  );
}
