import type { FastifyInstance, FastifyReply } from 'fastify';

interface WebLinkParams {
  organization: string;
  project: string;
  repository?: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(reply: FastifyReply, title: string, apiPath: string): FastifyReply {
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)} · Lapis</title></head><body><main>`,
    `<h1>${escapeHtml(title)}</h1>`,
    '<p>Lapis serves no web view of pipelines or repositories. This page stands where Azure DevOps shows one; ',
    `the data is in the REST API: <a href="${escapeHtml(apiPath)}">${escapeHtml(apiPath)}</a>.</p>`,
    '</main></body></html>',
  ].join('');
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'")
    .header('x-content-type-options', 'nosniff')
    .send(html);
}

function query(value: unknown): string {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? value : '';
}

/**
 * The web addresses API answers link to (`_links.web`, `_links.editor`, `repository.url`), so that no link Lapis
 * emits is a 404. They read nothing from the store: the page names the REST resource and discloses no data.
 */
export function registerWebLinks(app: FastifyInstance): void {
  app.get<{ Params: WebLinkParams; Querystring: Record<string, unknown> }>(
    '/:organization/:project/_build/results',
    (request, reply) => {
      const { organization, project } = request.params;
      const id = query(request.query.buildId);
      return page(reply, `Build ${id}`, `/${organization}/${project}/_apis/build/builds/${id}`);
    },
  );
  for (const [path, parameter] of [
    ['definition', 'definitionId'],
    ['designer', 'id'],
  ] as const) {
    app.get<{ Params: WebLinkParams; Querystring: Record<string, unknown> }>(
      `/:organization/:project/_build/${path}`,
      (request, reply) => {
        const { organization, project } = request.params;
        const id = query(request.query[parameter]);
        return page(reply, `Pipeline ${id}`, `/${organization}/${project}/_apis/build/definitions/${id}`);
      },
    );
  }
  app.get<{ Params: WebLinkParams }>('/:organization/:project/_git/:repository', (request, reply) => {
    const { organization, project, repository } = request.params;
    return page(reply, `Repository ${repository ?? ''}`, `/${organization}/${project}/_apis/build/definitions`);
  });
}
