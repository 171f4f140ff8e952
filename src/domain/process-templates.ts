import { DomainError } from './errors.js';

/** The system processes every Azure DevOps organization has, by their fixed ids. */
export const processTemplates: Readonly<Record<string, string>> = {
  'adcc42ab-9882-485e-a3ed-7678f01f66bc': 'Agile',
  '6b724908-ef14-45cf-84f8-768b5384da45': 'Scrum',
  'b8a3a935-7e91-48b8-a94c-606d37c3e9f2': 'Basic',
  '27450541-8e31-4150-9947-dc59f998fc01': 'CMMI',
};

export const defaultProcessTemplateId = 'adcc42ab-9882-485e-a3ed-7678f01f66bc';

export function processTemplateName(id: string): string {
  return processTemplates[id.toLowerCase()] ?? 'Custom';
}

export function parseProcessTemplateId(value: string): string {
  const id = value.toLowerCase();
  if (!processTemplates[id]) {
    throw new DomainError(
      'invalidInput',
      `The process template ${value} does not exist. Known templates: ${Object.entries(processTemplates)
        .map(([key, name]) => `${name} (${key})`)
        .join(', ')}.`,
    );
  }
  return id;
}
