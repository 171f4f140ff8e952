import { processTypeNumbers } from '../../../../domain/core-enums.js';
import { DomainError } from '../../../../domain/errors.js';
import { defaultProcessTemplateId, processTemplates } from '../../../../domain/process-templates.js';
import { type ApiLocation, operation } from '../../registry.js';
import { listOf } from '../../values.js';

function process(id: string, name: string, collectionUrl: string) {
  const url = `${collectionUrl}/_apis/process/processes/${id}`;
  return {
    id,
    name,
    description: `The ${name} system process.`,
    url,
    type: 'system',
    isDefault: id === defaultProcessTemplateId,
    _links: { self: { href: url } },
  };
}

export const processesLocation: ApiLocation = {
  id: '93878975-88c5-4e6a-8abb-7ddd77a8a7d8',
  area: 'core',
  resourceName: 'processes',
  routeTemplate: '_apis/process/processes/{*processId}',
  minVersion: '1.0',
  maxVersion: '7.2',
  releasedVersion: '7.1',
  resourceVersion: 1,
  operations: {
    GET: operation({
      scopes: ['vso.work', 'vso.project'],
      summary: 'The system processes (Agile, Scrum, Basic, CMMI), or one by id; Agile is the default.',
      enums: { type: processTypeNumbers },
      async handler(context) {
        const id = context.routeValues.processId?.toLowerCase();
        if (id === undefined) {
          return listOf(Object.entries(processTemplates).map(([key, name]) => process(key, name, context.collectionUrl)));
        }
        const name = processTemplates[id];
        if (!name) throw new DomainError('processNotFound', `The process with id ${id} does not exist.`);
        return { body: process(id, name, context.collectionUrl) };
      },
    }),
  },
};
