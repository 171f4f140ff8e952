import type { FastifyInstance } from 'fastify';
import type { OrganizationService } from '../../../services/organizations.js';
import { requireSignedIn } from '../guards.js';
import { HomePage } from '../pages/home-page.js';
import { sendPage } from '../render.js';
import { signedInUser } from '../session.js';

/** GET /: the signed-in user's organizations. */
export function homeRoutes(app: FastifyInstance, organizations: OrganizationService): void {
  app.get('/', { preHandler: requireSignedIn }, async (request, reply) => {
    const user = await signedInUser(request);
    return sendPage(reply, 200, <HomePage user={user} organizations={await organizations.listForUser(user.id)} />);
  });
}
