import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OrganizationService } from '../../../services/organizations.js';
import type { UserService } from '../../../services/users.js';
import { formText } from '../form-body.js';
import { formFailure } from '../form-failure.js';
import { AdminOrganizationPage } from '../pages/admin-organization-page.js';
import { AdminOrganizationsPage, type NewOrganizationValues, organizationPath } from '../pages/admin-organizations-page.js';
import { sendPage } from '../render.js';

interface NameParams {
  name: string;
}

interface MemberParams extends NameParams {
  username: string;
}

/** /_admin/organizations: list and add organizations, manage each one's members. Registered under the admin-only prefix. */
export function adminOrganizationRoutes(app: FastifyInstance, organizations: OrganizationService, users: UserService): void {
  async function listPage(reply: FastifyReply, status: number, values: NewOrganizationValues, error?: string) {
    const [all, everyone] = await Promise.all([organizations.list(), users.list()]);
    return sendPage(reply, status, <AdminOrganizationsPage organizations={all} users={everyone} values={values} error={error} />);
  }

  async function organizationPage(reply: FastifyReply, name: string, status: number, newMember = '', error?: string) {
    const organization = await organizations.get(name);
    const members = await organizations.members(organization.name);
    return sendPage(
      reply,
      status,
      <AdminOrganizationPage organization={organization} members={members} newMember={newMember} error={error} />,
    );
  }

  app.get('/organizations', (_request, reply) => listPage(reply, 200, { name: '', owner: '' }));

  app.post('/organizations', async (request, reply) => {
    const values = { name: formText(request.body, 'name').trim(), owner: formText(request.body, 'owner').trim() };
    try {
      const organization = await organizations.add(values.name, values.owner);
      return reply.redirect(organizationPath(organization.name), 303);
    } catch (error) {
      const failure = formFailure(error);
      return listPage(reply, failure.status, values, failure.message);
    }
  });

  app.get<{ Params: NameParams }>('/organizations/:name', (request, reply) => organizationPage(reply, request.params.name, 200));

  app.post<{ Params: NameParams }>('/organizations/:name/members', async (request, reply) => {
    const username = formText(request.body, 'username').trim();
    try {
      await organizations.addMember(request.params.name, username);
    } catch (error) {
      const failure = formFailure(error);
      return organizationPage(reply, request.params.name, failure.status, username, failure.message);
    }
    return reply.redirect(organizationPath(request.params.name), 303);
  });

  app.post<{ Params: MemberParams }>('/organizations/:name/members/:username/remove', async (request, reply) => {
    try {
      await organizations.removeMember(request.params.name, request.params.username);
    } catch (error) {
      const failure = formFailure(error);
      return organizationPage(reply, request.params.name, failure.status, '', failure.message);
    }
    return reply.redirect(organizationPath(request.params.name), 303);
  });
}
