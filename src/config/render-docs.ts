import { configSchema } from './schema.js';

/** The text of docs/configuration.md, generated from the schema so the two never disagree. */
export function renderConfigurationDoc(): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'Lapis reads its settings in this order, each source overriding the one before:',
    'built-in defaults <- a JSON file given with `--config` (keys as in the first column) <- environment variables <- command-line flags.',
    'Everything is validated once at start; a bad value stops Lapis with a one-line message naming the setting.',
    '',
    '| Key | Environment | Default | Description |',
    '|---|---|---|---|',
  ];
  for (const [name, definition] of Object.entries(configSchema)) {
    const shown =
      'defaultText' in definition && definition.defaultText
        ? definition.defaultText
        : `\`${JSON.stringify(definition.default)}\``;
    lines.push(`| \`${name}\` | \`${definition.env}\` | ${shown} | ${definition.description.replaceAll('|', '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}
