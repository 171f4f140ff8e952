import type { Build } from '../../../../domain/builds.js';
import { DomainError } from '../../../../domain/errors.js';
import { type ApiLocation, type ApiResult, operation } from '../../registry.js';
import { queryParameters } from '../../values.js';
import { buildSubresource, requireProject } from './context.js';

const colors: Record<string, string> = {
  succeeded: '#4c1',
  partiallySucceeded: '#fe7d37',
  failed: '#e05d44',
  canceled: '#9f9f9f',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A flat two-part badge: label on grey, status in its color; widths from a fixed per-character estimate. */
export function badgeSvg(label: string, status: string, color: string): string {
  const width = (text: string) => 10 + text.length * 7;
  const left = width(label);
  const right = width(status);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="20" role="img" aria-label="${escapeXml(`${label}: ${status}`)}">`,
    `<title>${escapeXml(`${label}: ${status}`)}</title>`,
    `<rect width="${left}" height="20" fill="#555"/>`,
    `<rect x="${left}" width="${right}" height="20" fill="${color}"/>`,
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">',
    `<text x="${left / 2}" y="14">${escapeXml(label)}</text>`,
    `<text x="${left + right / 2}" y="14">${escapeXml(status)}</text>`,
    '</g></svg>',
  ].join('');
}

function statusOf(build: Build | undefined): { status: string; color: string } {
  if (!build?.result) return { status: 'never built', color: '#9f9f9f' };
  return {
    status: build.result === 'partiallySucceeded' ? 'partially succeeded' : build.result,
    color: colors[build.result] ?? '#9f9f9f',
  };
}

/** The official client asks with `Accept: application/json` and reads a JSON string; browsers and README images get the SVG. */
function badgeAnswer(accept: string | undefined, svg: string): ApiResult {
  if (accept?.includes('application/json')) return { body: svg };
  return { text: { contentType: 'image/svg+xml; charset=utf-8', content: svg } };
}

/** `_apis/build/status/{definition}`: the status badge of a pipeline's latest completed build (every definition links here). */
export const statusBadgeLocation: ApiLocation = {
  id: '07acfdce-4757-4439-b422-ddd13a2fcc10',
  area: 'build',
  resourceName: 'status',
  routeTemplate: '{project}/_apis/{area}/{resource}/{*definition}',
  ...buildSubresource,
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.build'],
      summary: 'The SVG status badge of a pipeline (by id or name) for its latest completed build, optionally on branchName.',
      query: queryParameters('branchName', 'stageName', 'jobName', 'configuration', 'label'),
      async handler(context) {
        const project = requireProject(context, 'Reading a status badge');
        const { query } = context;
        if (query.stageName || query.jobName || query.configuration) {
          throw new DomainError(
            'invalidInput',
            'Lapis runs no stages or jobs: stageName, jobName and configuration are not supported.',
          );
        }
        const definition = await context.services.definitions.findByIdOrName(project, context.routeValues.definition ?? '');
        const latest = await context.services.builds.latest(project, definition.id, query.branchName).catch((error: unknown) => {
          if (error instanceof DomainError && error.code === 'buildNotFound') return undefined;
          throw error;
        });
        const { status, color } = statusOf(latest);
        const label = query.label?.trim() ? query.label.trim().slice(0, 100) : definition.name;
        return badgeAnswer(context.request.headers.accept, badgeSvg(label, status, color));
      },
    }),
  },
};
