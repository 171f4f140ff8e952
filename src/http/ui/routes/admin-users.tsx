import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserService } from '../../../services/users.js';
import { formFlag, formOptional, formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { AdminUsersPage, emptyNewUser, type NewUserValues } from '../pages/admin-users-page.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';

interface UsernameParams {
  username: string;
}

/** /_admin/users: list, add, disable and enable users. Registered under the admin-only prefix. */
export function adminUserRoutes(app: FastifyInstance, users: UserService): void {
  async function page(request: FastifyRequest, reply: FastifyReply, status: number, values: NewUserValues, error?: string) {
    const me = await signedInUser(request);
    return sendPage(reply, status, <AdminUsersPage users={await users.list()} me={me} values={values} error={error} />);
  }

  app.get('/users', (request, reply) => page(request, reply, 200, emptyNewUser));

  app.post('/users', async (request, reply) => {
    const values: NewUserValues = {
      username: formText(request.body, 'username').trim(),
      displayName: formText(request.body, 'displayName').trim(),
      email: formText(request.body, 'email').trim(),
      isAdmin: formFlag(request.body, 'isAdmin'),
    };
    try {
      await users.add({
        username: values.username,
        displayName: formOptional(request.body, 'displayName'),
        email: formOptional(request.body, 'email'),
        password: formText(request.body, 'password') || undefined,
        isAdmin: values.isAdmin,
      });
    } catch (error) {
      const failure = formFailure(error);
      return page(request, reply, failure.status, values, failure.message);
    }
    return reply.redirect('/_admin/users', 303);
  });

  app.post<{ Params: UsernameParams }>('/users/:username/disable', async (request, reply) => {
    const me = await signedInUser(request);
    if (me.username.toLowerCase() === request.params.username.toLowerCase()) {
      return page(request, reply, 400, emptyNewUser, 'You cannot disable your own account.');
    }
    await users.disable(request.params.username);
    return reply.redirect('/_admin/users', 303);
  });

  app.post<{ Params: UsernameParams }>('/users/:username/enable', async (request, reply) => {
    await users.enable(request.params.username);
    return reply.redirect('/_admin/users', 303);
  });
}
