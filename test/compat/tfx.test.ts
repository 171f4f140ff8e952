import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, recordAnswers } from '../support/answers.js';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { tfx, tfxHome } from '../support/tfx.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`tfx-cli against a listening Lapis on ${backend.name}`, () => {
    let lapis: Lapis;
    let url: string;
    let pat: string;
    let definitionId: number;
    const home = tfxHome();
    let answers: Answer[] = [];

    beforeAll(async () => {
      lapis = await testApp(await backend.open());
      const fixture = await apiFixture(lapis);
      pat = await fixture.pat('vso.build_execute vso.project');
      const definition = await lapis.services.definitions.create(fixture.project, fixture.alice, { name: 'ci' });
      definitionId = definition.id;
      await lapis.app.listen({ port: 0, host: '127.0.0.1' });
      answers = recordAnswers(lapis.app.server);
      url = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}/contoso`;
    });

    afterAll(async () => {
      await lapis.app.close();
      await backend.cleanup();
      home.cleanup();
    });

    const connection = () => ['--service-url', url, '--token', pat];

    it('tfx login checks the token against connectionData and refuses a bad one', async () => {
      const login = await tfx(['login', ...connection()], home.home);
      expect(login.stdout + login.stderr).toContain('Logged in successfully');
      expect(login.code).toBe(0);
      const bad = await tfx(['login', '--service-url', url, '--token', 'x'.repeat(52)], tfxHome().home);
      expect(bad.code).not.toBe(0);
      expect(bad.stdout + bad.stderr).toContain('Invalid credentials');
    });

    it('tfx build queue, build show and build list', async () => {
      const queued = await tfx(
        ['build', 'queue', ...connection(), '--project', 'web', '--definition-id', String(definitionId), '--json'],
        home.home,
      );
      expect(queued.code, queued.stderr).toBe(0);
      const build = JSON.parse(queued.stdout) as { id: number; status: number; definition: { id: number } };
      expect(build.definition.id).toBe(definitionId);

      const shown = await tfx(
        ['build', 'show', ...connection(), '--project', 'web', '--build-id', String(build.id), '--json'],
        home.home,
      );
      expect(shown.code, shown.stderr).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ id: build.id });

      const listed = await tfx(['build', 'list', ...connection(), '--project', 'web', '--json'], home.home);
      expect(listed.code, listed.stderr).toBe(0);
      expect((JSON.parse(listed.stdout) as { id: number }[]).map((b) => b.id)).toEqual([build.id]);

      const byName = await tfx(
        ['build', 'list', ...connection(), '--project', 'web', '--definition-name', 'ci', '--json'],
        home.home,
      );
      expect((JSON.parse(byName.stdout) as { id: number }[]).map((b) => b.id)).toEqual([build.id]);

      const friendly = await tfx(['build', 'list', ...connection(), '--project', 'web'], home.home);
      expect(friendly.stdout).toContain(`id              : ${build.id}`);
      expect(friendly.stdout).toContain('definition name : ci');
    });

    it('found every location it asked for', () => {
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.filter((answer) => answer.status === 404)).toEqual([]);
    });
  });
}
