import { Layout } from '../layout.js';
import { usePage } from '../render.js';

export interface ErrorPageProps {
  title: string;
  message: string;
  /** 5xx pages name the request id so a report can be matched with the log. */
  showRequestId?: boolean;
}

export function ErrorPage({ title, message, showRequestId = false }: ErrorPageProps) {
  const { requestId, user } = usePage();
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      {showRequestId && (
        <p class="muted">
          Request id: <code>{requestId}</code>
        </p>
      )}
      <p>
        <a href="/">{user ? 'Go to the home page' : 'Go to the sign-in page'}</a>
      </p>
    </Layout>
  );
}
