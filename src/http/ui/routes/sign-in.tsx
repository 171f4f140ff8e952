import type { FastifyInstance } from 'fastify';
import type { SignInService } from '../../../services/sign-in.js';
import { formText } from '../form-body.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { sendPage } from '../render.js';
import { safeReturnUrl } from '../return-url.js';
import { currentUser, signIn, signOut } from '../session.js';

const refusedMessage = 'Incorrect username or password.';

/** GET/POST /_signin and POST /_signout. */
export function signInRoutes(app: FastifyInstance, signInService: SignInService): void {
  app.get('/_signin', async (request, reply) => {
    const returnUrl = safeReturnUrl((request.query as Record<string, unknown>).returnUrl);
    if (await currentUser(request)) return reply.redirect(returnUrl, 303);
    return sendPage(reply, 200, <SignInPage returnUrl={returnUrl} />);
  });

  app.post('/_signin', async (request, reply) => {
    const username = formText(request.body, 'username').trim();
    const returnUrl = safeReturnUrl(formText(request.body, 'returnUrl'));
    const result = await signInService.signIn({
      username,
      password: formText(request.body, 'password'),
      clientAddress: request.clientAddress,
    });
    if (result.outcome === 'signedIn') {
      await signIn(request, result.user);
      request.log.info({ userId: result.user.id, clientAddress: request.clientAddress }, 'signed in');
      return reply.redirect(returnUrl, 303);
    }
    if (result.outcome === 'throttled') {
      request.log.warn({ username: username.slice(0, 100), clientAddress: request.clientAddress }, 'sign-in throttled');
      reply.header('retry-after', String(result.retryAfterSeconds));
      const wait = `Too many failed sign-ins. Wait ${result.retryAfterSeconds} seconds, then try again.`;
      return sendPage(reply, 429, <SignInPage returnUrl={returnUrl} username={username} error={wait} />);
    }
    // The claimed name and the address, never the password: enough to see who is being tried, and from where.
    request.log.warn(
      { reason: result.reason, username: username.slice(0, 100), clientAddress: request.clientAddress },
      'sign-in refused',
    );
    return sendPage(reply, 400, <SignInPage returnUrl={returnUrl} username={username} error={refusedMessage} />);
  });

  app.post('/_signout', async (request, reply) => {
    await signOut(request);
    return reply.redirect('/_signin', 303);
  });
}
