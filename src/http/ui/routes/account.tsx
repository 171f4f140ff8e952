import type { FastifyInstance } from 'fastify';
import type { UserService } from '../../../services/users.js';
import type { WebSessionService } from '../../../services/web-sessions.js';
import { formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { requireSignedIn } from '../guards.js';
import { passwordPath, sessionsPath } from '../pages/account-nav.js';
import { ChangePasswordPage } from '../pages/change-password-page.js';
import { SessionsPage } from '../pages/sessions-page.js';
import { sendPage } from '../render.js';
import { currentSessionId, signedInUser } from '../session.js';

interface SessionParams {
  id: string;
}

async function currentSession(request: Parameters<typeof currentSessionId>[0]): Promise<string> {
  const id = await currentSessionId(request);
  if (!id) throw new Error('account routes need requireSignedIn');
  return id;
}

/** The signed-in user's own account: where they are signed in, and their password. */
export function accountRoutes(app: FastifyInstance, users: UserService, sessions: WebSessionService): void {
  app.get(sessionsPath, { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    const ended = Number((request.query as Record<string, unknown>).ended);
    const notice = Number.isInteger(ended) && ended > 0 ? `${ended} session${ended === 1 ? '' : 's'} ended.` : undefined;
    return sendPage(
      reply,
      200,
      <SessionsPage sessions={await sessions.list(user)} currentId={await currentSession(request)} notice={notice} />,
    );
  });

  app.post<{ Params: SessionParams }>(`${sessionsPath}/:id/end`, { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    const ended = await sessions.endOwn(user, request.params.id);
    if (ended) request.log.info({ userId: user.id, sessionId: request.params.id }, 'web session ended');
    return reply.redirect(`${sessionsPath}?ended=${ended ? 1 : 0}`, 303);
  });

  app.post(`${sessionsPath}/end-others`, { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    const ended = await sessions.endOthers(user, await currentSession(request));
    request.log.info({ userId: user.id, ended }, 'other web sessions ended');
    return reply.redirect(`${sessionsPath}?ended=${ended}`, 303);
  });

  app.get(passwordPath, { preHandler: requireSignedIn }, (request, reply) =>
    sendPage(reply, 200, <ChangePasswordPage changed={(request.query as Record<string, unknown>).changed === '1'} />),
  );

  app.post(passwordPath, { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    const next = formText(request.body, 'newPassword');
    if (next !== formText(request.body, 'repeatPassword')) {
      return sendPage(reply, 400, <ChangePasswordPage error="The two new passwords differ." />);
    }
    try {
      await users.changeOwnPassword(user, formText(request.body, 'currentPassword'), next, await currentSession(request));
    } catch (error) {
      const failure = formFailure(error);
      request.log.warn({ userId: user.id, clientAddress: request.clientAddress }, 'password change refused');
      return sendPage(reply, failure.status, <ChangePasswordPage error={failure.message} />);
    }
    request.log.info({ userId: user.id, clientAddress: request.clientAddress }, 'password changed');
    return reply.redirect(`${passwordPath}?changed=1`, 303);
  });
}
