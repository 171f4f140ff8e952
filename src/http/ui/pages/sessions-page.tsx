import type { WebSession } from '../../../domain/web-session.js';
import { PostButton } from '../forms.js';
import { Layout } from '../layout.js';
import { AccountNav, endSessionPath, sessionsPath } from './account-nav.js';

/** Minutes are enough to recognise a sign-in; seconds would only add noise. */
function Moment({ value }: { value: string }) {
  return <time dateTime={value}>{`${value.slice(0, 10)} ${value.slice(11, 16)} UTC`}</time>;
}

export interface SessionsPageProps {
  sessions: WebSession[];
  currentId: string;
  notice?: string | undefined;
}

/** Where the user is signed in, with a way to end any other sign-in (a lost laptop, a shared computer). */
export function SessionsPage({ sessions, currentId, notice }: SessionsPageProps) {
  const others = sessions.filter((session) => session.id !== currentId);
  return (
    <Layout title="Your sessions">
      <h1>Your sessions</h1>
      <AccountNav current="Your sessions" />
      {notice && (
        <div class="notice" role="status">
          <p>{notice}</p>
        </div>
      )}
      <p>Every browser signed in to your account. Ending a session signs that browser out at once, on every server.</p>
      <div class="table-wrap">
        <table class="stacking">
          <caption>Signed-in browsers</caption>
          <thead>
            <tr>
              <th scope="col">Signed in</th>
              <th scope="col">Last seen</th>
              <th scope="col">Address</th>
              <th scope="col">Browser</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <tr key={session.id}>
                <td data-label="Signed in">
                  <Moment value={session.createdAt} />
                </td>
                <td data-label="Last seen">
                  <Moment value={session.lastSeenAt} />
                </td>
                <td data-label="Address">{session.clientAddress}</td>
                <td class="wrap" data-label="Browser">
                  {session.userAgent || 'Unknown'}
                </td>
                <td class="actions">
                  {session.id === currentId ? (
                    <span class="badge">This session</span>
                  ) : (
                    <PostButton
                      action={endSessionPath(session.id)}
                      subject={`session from ${session.clientAddress}`}
                      variant="danger"
                    >
                      End
                    </PostButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {others.length > 0 && (
        <PostButton action={`${sessionsPath}/end-others`} variant="danger">
          End all other sessions
        </PostButton>
      )}
    </Layout>
  );
}
