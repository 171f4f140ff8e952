import type { LapisMigration } from './dialect.js';

const moveBatch = 1000;

/**
 * Build tags leave the JSON column of `builds` for a table of their own: a tag filter becomes one index probe per
 * tag instead of a `LIKE` over JSON text. Existing tags move over, compared case-insensitively as before.
 */
export const buildTags: LapisMigration = {
  name: '005-build-tags',
  async up(db) {
    await db.schema
      .createTable('build_tags')
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('build_id', 'integer', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('tag_key', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('build_tags_pk', ['organization_id', 'build_id', 'tag_key'])
      .addForeignKeyConstraint('build_tags_build', ['organization_id', 'build_id'], 'builds', ['organization_id', 'id'], (c) =>
        c.onDelete('cascade'),
      )
      .execute();
    // Serves tag filters and the project's tag list from the tag side.
    await db.schema.createIndex('build_tags_tag').on('build_tags').columns(['organization_id', 'tag_key', 'build_id']).execute();

    let after = { organization: '', id: -1 };
    for (;;) {
      const rows: { organization_id: string; id: number; tags: string }[] = await db
        .selectFrom('builds')
        .select(['organization_id', 'id', 'tags'])
        .where((eb) =>
          eb.or([
            eb('organization_id', '>', after.organization),
            eb.and([eb('organization_id', '=', after.organization), eb('id', '>', after.id)]),
          ]),
        )
        .orderBy('organization_id')
        .orderBy('id')
        .limit(moveBatch)
        .execute();
      const last = rows[rows.length - 1];
      if (!last) break;
      after = { organization: last.organization_id, id: Number(last.id) };
      const tagRows = rows.flatMap((row) => {
        const unique = new Map<string, string>();
        for (const tag of JSON.parse(row.tags) as string[])
          if (!unique.has(tag.toLowerCase())) unique.set(tag.toLowerCase(), tag);
        return [...unique].map(([key, tag]) => ({ organization_id: row.organization_id, build_id: row.id, tag, tag_key: key }));
      });
      for (let i = 0; i < tagRows.length; i += moveBatch) {
        await db
          .insertInto('build_tags')
          .values(tagRows.slice(i, i + moveBatch))
          .execute();
      }
    }
    await db.schema.alterTable('builds').dropColumn('tags').execute();
  },
};
