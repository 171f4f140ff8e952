import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, recordAnswers } from '../support/answers.js';
import { apiFixture } from '../support/api.js';
import { testApp } from '../support/app.js';
import { backends } from '../support/backends.js';
import { clientOptions, loadExtensionApi } from '../support/extension-api.js';
import { accessTokenFor } from '../support/oauth.js';

type Lapis = Awaited<ReturnType<typeof testApp>>;

const extension = loadExtensionApi();

for (const backend of backends()) {
  describe.skipIf(!backend.available)(
    `azure-devops-extension-api 5 (fetch, 7.2-preview, Accept options) on ${backend.name}`,
    () => {
      let lapis: Lapis;
      let collectionUrl: string;
      let basic: string;
      let buildBasic: string;
      let bearer: string;
      let aliceId: string;
      let answers: Answer[] = [];

      beforeAll(async () => {
        lapis = await testApp(await backend.open());
        const fixture = await apiFixture(lapis);
        aliceId = fixture.alice.id;
        basic = `Basic ${Buffer.from(`:${await fixture.pat('vso.project_manage vso.work')}`).toString('base64')}`;
        buildBasic = `Basic ${Buffer.from(`:${await fixture.pat('vso.build_execute')}`).toString('base64')}`;
        bearer = `Bearer ${await accessTokenFor(lapis, fixture.alice, 'vso.profile')}`;
        await lapis.app.listen({ port: 0, host: '127.0.0.1' });
        answers = recordAnswers(lapis.app.server);
        collectionUrl = `http://127.0.0.1:${(lapis.app.server.address() as AddressInfo).port}/contoso`;
      });

      afterAll(async () => {
        await lapis.app.close();
        await backend.cleanup();
      });

      const core = () => new extension.core.CoreRestClient(clientOptions(collectionUrl, basic));

      it('lists projects as a bare array with numeric enums, Dates and the integer continuation token', async () => {
        for (const name of ['alpha', 'beta'])
          await lapis.services.projects.add((await lapis.services.organizations.get('contoso')).id, { name });
        const first = await core().getProjects(undefined, 2);
        expect(Array.isArray(first)).toBe(true);
        expect(first.map((p) => p.name)).toEqual(['alpha', 'beta']);
        expect(first.continuationToken).toBe('2');
        expect(first[0]?.state).toBe(extension.core.ProjectVisibility.Organization); // wellFormed = 1
        expect(first[0]?.visibility).toBe(extension.core.ProjectVisibility.Private);
        expect(first[0]?.lastUpdateTime).toBeInstanceOf(Date);
        expect(first[0]).not.toHaveProperty('url');
        const next = await core().getProjects(undefined, 2, undefined, Number(first.continuationToken));
        expect(next.map((p) => p.name)).toEqual(['web']);
        expect(next.continuationToken).toBeNull();
        // ProjectState.All is -1 on the wire.
        expect((await core().getProjects(-1 as never)).map((p) => p.name)).toEqual(['alpha', 'beta', 'web']);
      });

      it('gets a project with its default team and a collection link that resolves', async () => {
        const project = await core().getProject('web', true);
        expect(project.name).toBe('web');
        expect(project.capabilities.versioncontrol?.sourceControlType).toBe('Git');
        expect(project.defaultTeam).toMatchObject({ name: 'web Team' });
        const collectionHref = (project._links as { collection: { href: string } }).collection.href;
        const organization = await lapis.services.organizations.get('contoso');
        expect(collectionHref).toBe(`${collectionUrl}/_apis/projectCollections/${organization.id}`);
        const collection = await core().getProjectCollection(collectionHref.split('/').pop() ?? '');
        expect(collection).toMatchObject({ id: organization.id, name: 'contoso', state: 'Started' });
        expect(await core().getProjectCollections()).toEqual([{ id: organization.id, name: 'contoso' }]);
      });

      it('lists, creates, renames and deletes teams; the default team cannot be deleted', async () => {
        const teams = await core().getTeams('web');
        expect(teams.map((t) => t.name)).toEqual(['web Team']);
        const created = await core().createTeam({ name: 'Platform', description: 'Runs the pipes' } as never, 'web');
        expect(created).toMatchObject({ name: 'Platform', projectName: 'web' });
        const renamed = await core().updateTeam({ name: 'Platform Ops' } as never, 'web', created.id);
        expect(renamed.name).toBe('Platform Ops');
        expect((await core().getTeam('web', 'platform ops')).id).toBe(created.id);
        expect((await core().getAllTeams()).map((t) => t.name)).toEqual(
          expect.arrayContaining(['alpha Team', 'Platform Ops', 'web Team']),
        );
        const members = await core().getTeamMembersWithExtendedProperties('web', created.id, 10, 0);
        expect(members.map((m) => m.identity.id)).toEqual([aliceId]);
        await core().deleteTeam('web', created.id);
        await expect(core().deleteTeam('web', teams[0]?.id ?? '')).rejects.toMatchObject({ status: 400 });
        await expect(core().getTeam('web', created.id)).rejects.toMatchObject({ status: 404 });
      });

      it('reads system properties and patches custom ones', async () => {
        const project = await core().getProject('web');
        await core().setProjectProperties(project.id, [
          { op: 'add', path: '/Alias', value: 'www' },
          { op: 'add', path: '/Owner', value: 'web team' },
        ] as never);
        await core().setProjectProperties(project.id, [{ op: 'remove', path: '/Owner' }] as never);
        const properties = await core().getProjectProperties(project.id);
        expect(properties).toEqual(
          expect.arrayContaining([
            { name: 'Alias', value: 'www' },
            { name: 'System.SourceControlGitEnabled', value: 'True' },
            { name: 'System.Process Template', value: 'Agile' },
            { name: 'System.Microsoft.TeamFoundation.Team.Default', value: project.defaultTeam.id },
          ]),
        );
        expect(properties.map((p) => p.name)).not.toContain('Owner');
        expect(await core().getProjectProperties(project.id, ['Al*'])).toEqual([{ name: 'Alias', value: 'www' }]);
        await expect(
          core().setProjectProperties(project.id, [{ op: 'add', path: '/System.Process Template', value: 'Scrum' }] as never),
        ).rejects.toMatchObject({ status: 400 });
      });

      it('lists the system processes with numeric types', async () => {
        const processes = await core().getProcesses();
        expect(processes.map((p) => p.name).sort()).toEqual(['Agile', 'Basic', 'CMMI', 'Scrum']);
        expect(processes.every((p) => p.type === extension.core.ProcessType.System)).toBe(true);
        expect(processes.find((p) => p.isDefault)?.name).toBe('Agile');
        expect((await core().getProcessById('6b724908-ef14-45cf-84f8-768b5384da45')).name).toBe('Scrum');
      });

      it('creates a project through an operation it can follow, and meets TF200019 on a duplicate', async () => {
        const reference = await core().queueCreateProject({ name: 'mobile', description: 'Apps' } as never);
        expect(reference.status).toBe(4); // OperationStatus.Succeeded
        const operations = new extension.operations.OperationsRestClient(clientOptions(collectionUrl, basic));
        expect((await operations.getOperation(reference.id)).status).toBe(4);
        await expect(core().queueCreateProject({ name: 'MOBILE' } as never)).rejects.toMatchObject({
          status: 409,
          message: expect.stringMatching(/^TF200019: The following project already exists on the Azure DevOps Server: MOBILE\./),
        });
      });

      it('reads connectionData with the service definitions, last access and web directory', async () => {
        const locations = new extension.locations.LocationsRestClient(clientOptions(collectionUrl, basic));
        const data = await locations.getConnectionData(1 as never); // ConnectOptions.IncludeServices
        expect(data.authenticatedUser.id).toBe(aliceId);
        expect(data.deploymentType).toBe(1); // DeploymentFlags.Hosted
        expect(data.lastUserAccess).toBeInstanceOf(Date);
        expect(data.webApplicationRelativeDirectory).toBe('/contoso/');
        const projects = data.locationServiceData.serviceDefinitions.find(
          (d) => d.identifier === '603fe2ac-9723-48b9-88ad-09305aa6c6e1',
        );
        expect(projects).toMatchObject({ serviceType: 'core', relativePath: '_apis/{resource}/{*projectId}', maxVersion: '7.2' });
        const plain = await locations.getConnectionData(0 as never);
        expect(plain.locationServiceData.serviceDefinitions).toBeUndefined();
      });

      it('reads the profile with an OAuth token (names without details); a PAT gets 401', async () => {
        const profiles = new extension.profile.ProfileRestClient(clientOptions(collectionUrl, bearer));
        const me = await profiles.getProfile('me');
        expect(me).toMatchObject({
          id: aliceId,
          displayName: 'Alice Liddell',
          publicAlias: aliceId,
          emailAddress: 'alice@example.test',
        });
        expect(me.timeStamp).toBeInstanceOf(Date);
        const accounts = new extension.accounts.AccountsRestClient(clientOptions(collectionUrl, bearer));
        const [account] = await accounts.getAccounts(undefined as never, aliceId);
        expect(account).toMatchObject({ accountName: 'contoso', accountStatus: 1, accountType: 1 }); // enabled, organization
        expect(account?.createdDate).toBeInstanceOf(Date);
        const withPat = new extension.profile.ProfileRestClient(clientOptions(collectionUrl, basic));
        await expect(withPat.getProfile('me')).rejects.toMatchObject({ status: 401 });
      });

      const builds = () => new extension.build.BuildRestClient(clientOptions(collectionUrl, buildBasic));
      const { BuildStatus, BuildResult, BuildReason, QueuePriority, DefinitionQueueStatus, DefinitionType, DefinitionQuality } =
        extension.build;

      it('drives the build area at 7.2-preview with numeric build enums', async () => {
        const definition = await builds().createDefinition({ name: 'site', path: '\\web' } as never, 'web');
        expect(definition).toMatchObject({
          name: 'site',
          path: '\\web',
          quality: DefinitionQuality.Definition,
          queueStatus: DefinitionQueueStatus.Enabled,
          type: DefinitionType.Build,
          jobAuthorizationScope: 1, // BuildAuthorizationScope.ProjectCollection
        });
        expect(definition.createdDate).toBeInstanceOf(Date);
        const queued = await builds().queueBuild({ definition: { id: definition.id } } as never, 'web');
        expect(queued).toMatchObject({
          status: BuildStatus.NotStarted,
          reason: BuildReason.Manual,
          priority: QueuePriority.Normal,
          definition: { id: definition.id, queueStatus: DefinitionQueueStatus.Enabled, type: DefinitionType.Build },
        });
        expect(queued.queueTime).toBeInstanceOf(Date);
        await builds().updateBuild({ status: BuildStatus.InProgress } as never, 'web', queued.id);
        const done = await builds().updateBuild(
          { status: BuildStatus.Completed, result: BuildResult.PartiallySucceeded } as never,
          'web',
          queued.id,
        );
        expect(done).toMatchObject({ status: BuildStatus.Completed, result: BuildResult.PartiallySucceeded });
        const listed = await builds().getBuilds(
          'web',
          [definition.id],
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          BuildStatus.Completed,
        );
        expect(Array.isArray(listed)).toBe(true);
        expect(listed.map((b) => [b.id, b.status, b.result])).toEqual([
          [queued.id, BuildStatus.Completed, BuildResult.PartiallySucceeded],
        ]);
        expect((await builds().getBuild('web', queued.id)).finishTime).toBeInstanceOf(Date);
        expect((await builds().getLatestBuild('web', String(definition.id))).id).toBe(queued.id);
        expect(await builds().addBuildTag('web', queued.id, 'release')).toEqual(['release']);
        expect(await builds().getBuildLogs('web', queued.id)).toEqual([]);
        expect((await builds().getBuildTimeline('web', queued.id)).records).toEqual([]);
        const [item] = await builds().getDefinitions(
          'web',
          'site',
          ...([
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
          ] as const),
          true, // includeLatestBuilds
        );
        expect(item).toMatchObject({ id: definition.id, queueStatus: DefinitionQueueStatus.Enabled });
        expect((item as unknown as { latestBuild: { status: number } }).latestBuild.status).toBe(BuildStatus.Completed);
        const revisions = await builds().getDefinitionRevisions('web', definition.id);
        expect(revisions.map((r) => r.changeType)).toEqual([1]); // AuditAction.Add
      });

      it('found every location it asked for (no 404 but the ones asserted above)', () => {
        const missing = answers.filter((answer) => answer.status === 404 && !answer.path.includes('/teams/'));
        expect(missing).toEqual([]);
      });
    },
  );
}
