import type { FastifyInstance } from 'fastify';
import type { UserService } from '../../../services/users.js';
import { formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { AdminResetPasswordPage } from '../pages/admin-reset-password-page.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';

interface UsernameParams {
  username: string;
}

/** /_admin/users/{name}/password: an administrator sets a new password; the user's sessions end. */
export function adminUserPasswordRoutes(app: FastifyInstance, users: UserService): void {
  app.get<{ Params: UsernameParams }>('/users/:username/password', async (request, reply) =>
    sendPage(reply, 200, <AdminResetPasswordPage user={await users.get(request.params.username)} />),
  );

  app.post<{ Params: UsernameParams }>('/users/:username/password', async (request, reply) => {
    const user = await users.get(request.params.username);
    try {
      await users.setPassword(user.username, formText(request.body, 'password'));
    } catch (error) {
      const failure = formFailure(error);
      return sendPage(reply, failure.status, <AdminResetPasswordPage user={user} error={failure.message} />);
    }
    const admin = await signedInUser(request);
    request.log.info({ userId: user.id, by: admin.id }, 'password reset by an administrator');
    return reply.redirect('/_admin/users', 303);
  });
}
