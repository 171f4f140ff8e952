import { Layout } from '../layout.js';
import { usePage } from '../render.js';

export interface ErrorPageProps {
  title: string;
  message: string;
}

/** Names the request id on every error page, so a report can be matched with the log line. */
export function ErrorPage({ title, message }: ErrorPageProps) {
  const { requestId, user } = usePage();
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p class="muted">
        Request id: <code>{requestId}</code>
      </p>
      <p>
        <a href="/">{user ? 'Go to the home page' : 'Go to the sign-in page'}</a>
      </p>
    </Layout>
  );
}
