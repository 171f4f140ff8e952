import type { ComponentChildren } from 'preact';
import { CsrfField } from '../forms.js';
import { Layout } from '../layout.js';

export interface ConfirmPageProps {
  title: string;
  action: string;
  confirmLabel: string;
  cancelHref: string;
  children: ComponentChildren;
}

/** Asks before a change that cannot be undone; a plain form, so it works without JavaScript. */
export function ConfirmPage({ title, action, confirmLabel, cancelHref, children }: ConfirmPageProps) {
  return (
    <Layout title={title}>
      <section class="card confirm">
        <h1>{title}</h1>
        {children}
        <form method="post" action={action} class="form-actions">
          <CsrfField />
          <button type="submit" class="button danger">
            {confirmLabel}
          </button>
          <a class="button secondary" href={cancelHref}>
            Cancel
          </a>
        </form>
      </section>
    </Layout>
  );
}
