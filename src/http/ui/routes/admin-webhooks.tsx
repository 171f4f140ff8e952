import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webhookEvents } from '../../../domain/webhooks.js';
import type { LeakReportService } from '../../../services/leak-reports.js';
import type { OrganizationService } from '../../../services/organizations.js';
import type { WebhookService } from '../../../services/webhooks.js';
import { formFlag, formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { AdminWebhooksPage, type NewWebhookValues, webhooksPath } from '../pages/admin-webhooks-page.js';
import { sendPage } from '../render.js';
import { currentUser } from '../session.js';

interface NameParams {
  name: string;
}

interface WebhookParams extends NameParams {
  id: string;
}

const allEvents: NewWebhookValues = { url: '', events: [...webhookEvents] };

/** /_admin/organizations/{name}/webhooks: webhooks, the leaked-token setting and the delivery log. */
export function adminWebhookRoutes(
  app: FastifyInstance,
  services: { organizations: OrganizationService; webhooks: WebhookService; leaks: LeakReportService },
): void {
  async function page(reply: FastifyReply, name: string, status: number, values = allEvents, error?: string) {
    const organization = await services.organizations.get(name);
    const [webhooks, deliveries, autoRevokeLeaks] = await Promise.all([
      services.webhooks.list(organization),
      services.webhooks.deliveries(organization),
      services.leaks.autoRevokeSetting(organization.id),
    ]);
    return sendPage(
      reply,
      status,
      <AdminWebhooksPage
        organization={organization}
        webhooks={webhooks}
        deliveries={deliveries}
        autoRevokeLeaks={autoRevokeLeaks}
        values={values}
        error={error}
      />,
    );
  }

  app.get<{ Params: NameParams }>('/organizations/:name/webhooks', (request, reply) => page(reply, request.params.name, 200));

  app.post<{ Params: NameParams }>(
    '/organizations/:name/webhooks',
    async (request: FastifyRequest<{ Params: NameParams }>, reply) => {
      const values = {
        url: formText(request.body, 'url').trim(),
        events: webhookEvents.filter((event) => formFlag(request.body, `event.${event}`)),
      };
      try {
        const organization = await services.organizations.get(request.params.name);
        const user = await currentUser(request);
        if (!user) return reply.redirect('/_signin', 303);
        if (values.events.length === 0) return page(reply, request.params.name, 400, values, 'Choose at least one event.');
        await services.webhooks.add({
          organization,
          url: values.url,
          secret: formText(request.body, 'secret'),
          events: values.events.join(' '),
          createdBy: user.username,
        });
      } catch (error) {
        const failure = formFailure(error);
        return page(reply, request.params.name, failure.status, values, failure.message);
      }
      return reply.redirect(webhooksPath(request.params.name), 303);
    },
  );

  app.post<{ Params: WebhookParams }>('/organizations/:name/webhooks/:id/remove', async (request, reply) => {
    try {
      await services.webhooks.remove(await services.organizations.get(request.params.name), request.params.id);
    } catch (error) {
      const failure = formFailure(error);
      return page(reply, request.params.name, failure.status, allEvents, failure.message);
    }
    return reply.redirect(webhooksPath(request.params.name), 303);
  });

  app.post<{ Params: NameParams }>('/organizations/:name/webhooks/leaks', async (request, reply) => {
    const organization = await services.organizations.get(request.params.name);
    await services.leaks.setAutoRevoke(organization.id, !(await services.leaks.autoRevokeSetting(organization.id)));
    return reply.redirect(webhooksPath(request.params.name), 303);
  });
}
