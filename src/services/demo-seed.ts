import type { BuildReason, BuildResult } from '../domain/builds.js';
import type { Clock } from '../domain/clock.js';
import type { Organization, User } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import { BuildDefinitionService } from './build-definitions.js';
import { BuildService } from './builds.js';
import type { ServiceContext } from './context.js';
import { OrganizationService } from './organizations.js';
import { ProjectService } from './projects.js';

export interface DemoSeedResult {
  organization: string;
  /** Set when the organization already had the demo data and nothing was written. */
  alreadySeededBy?: string;
  projects: number;
  definitions: number;
  builds: number;
}

interface DemoPipeline {
  name: string;
  /** Builds per weekday on average; a nightly runs once a day, weekends included. */
  perWeekday: number;
  nightly?: boolean;
}

const demoProjects: readonly { name: string; description: string; pipelines: readonly DemoPipeline[] }[] = [
  {
    name: 'Fabrikam Web',
    description: 'The public web site and its API gateway.',
    pipelines: [
      { name: 'web-ci', perWeekday: 4 },
      { name: 'web-nightly', perWeekday: 1, nightly: true },
    ],
  },
  {
    name: 'Payments Service',
    description: 'Card and invoice payments.',
    pipelines: [
      { name: 'payments-ci', perWeekday: 3 },
      { name: 'payments-release', perWeekday: 0.4 },
    ],
  },
  { name: 'Mobile App', description: 'iOS and Android clients.', pipelines: [{ name: 'mobile-ci', perWeekday: 2 }] },
];

const weeks = 6;
const branches = [
  'refs/heads/main',
  'refs/heads/main',
  'refs/heads/main',
  'refs/heads/feature/checkout',
  'refs/heads/release/2026.11',
];

/** A small deterministic generator, so every seeded store tells the same story. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Fills an organization with projects, pipelines and several weeks of build history, going through the same services
 * (numbering, transitions) as the API, on a clock that walks through the past.
 */
export class DemoSeeder {
  constructor(private readonly context: ServiceContext) {}

  async seed(organizationName: string): Promise<DemoSeedResult> {
    const organization = await this.organization(organizationName);
    const projects = new ProjectService(this.context);
    for (const demo of demoProjects) {
      if (await projects.find(organization.id, demo.name)) {
        return { organization: organization.name, alreadySeededBy: demo.name, projects: 0, definitions: 0, builds: 0 };
      }
    }
    const members = (await this.context.store.organizations.listMembers(organization.id)).map((m) => m.user);
    const now = this.context.clock.now().getTime();
    let current = now - weeks * 7 * 86_400_000;
    const history: Clock = { now: () => new Date(current) };
    const past: ServiceContext = { ...this.context, clock: history };
    const definitions = new BuildDefinitionService(past);
    const builds = new BuildService(past);
    const next = random(20261127);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
    const sha = () => Array.from({ length: 40 }, () => Math.floor(next() * 16).toString(16)).join('');
    const result: DemoSeedResult = { organization: organization.name, projects: 0, definitions: 0, builds: 0 };

    const queued: { at: number; run: (inFlight: boolean) => Promise<void> }[] = [];
    for (const demo of demoProjects) {
      const project = await new ProjectService(past).add(organization.id, { name: demo.name, description: demo.description });
      result.projects++;
      for (const pipeline of demo.pipelines) {
        const author = pick(members);
        const definition = await definitions.create(project, author, {
          name: pipeline.name,
          description: `${pipeline.name} pipeline`,
        });
        result.definitions++;
        for (let day = 0; day < weeks * 7; day++) {
          const dayStart = current + day * 86_400_000;
          const weekday = new Date(dayStart).getUTCDay() % 6 !== 0;
          const count = pipeline.nightly ? 1 : weekday ? Math.round(pipeline.perWeekday * (0.5 + next())) : next() < 0.2 ? 1 : 0;
          for (let i = 0; i < count; i++) {
            const at = pipeline.nightly ? dayStart + 2 * 3_600_000 : dayStart + (8 + next() * 10) * 3_600_000;
            const reason: BuildReason = pipeline.nightly
              ? 'schedule'
              : pick(['individualCI', 'individualCI', 'pullRequest', 'manual']);
            const requester = pick(members);
            const branch = reason === 'pullRequest' ? `refs/pull/${100 + Math.floor(next() * 400)}/merge` : pick(branches);
            const outcome = next();
            const minutes = 3 + next() * 12;
            queued.push({
              at,
              run: async (inFlight) => {
                current = at;
                const build = await builds.queue(project, requester, {
                  definitionId: definition.id,
                  sourceBranch: pipeline.nightly ? 'refs/heads/main' : branch,
                  sourceVersion: sha(),
                  reason,
                });
                result.builds++;
                if (inFlight) return;
                current = at + 30_000 + next() * 90_000;
                await builds.update(organization.id, project, build.id, requester, { status: 'inProgress' });
                current = at + minutes * 60_000;
                if (outcome > 0.97) {
                  await builds.update(organization.id, project, build.id, requester, { status: 'cancelling' });
                  current += 20_000;
                  await builds.update(organization.id, project, build.id, requester, { status: 'completed' });
                  return;
                }
                const finished: BuildResult = outcome < 0.85 ? 'succeeded' : outcome < 0.93 ? 'failed' : 'partiallySucceeded';
                await builds.update(organization.id, project, build.id, requester, { status: 'completed', result: finished });
              },
            });
          }
        }
      }
    }
    // Queued in time order, so build ids and numbers grow with time as they do on a real server.
    const due = queued.filter((build) => build.at <= now).sort((a, b) => a.at - b.at);
    // The latest few stay queued, as on a live server.
    for (const [index, build] of due.entries()) await build.run(index >= due.length - 3);
    return result;
  }

  private async organization(name: string): Promise<Organization> {
    const existing = await this.context.store.organizations.findByName(name);
    if (existing) return existing;
    const admin: User | undefined = (await this.context.store.users.list()).find((user) => user.isAdmin && !user.disabledAt);
    if (!admin) {
      throw new DomainError('userNotFound', `Organization "${name}" does not exist and there is no admin user to own it.`);
    }
    return new OrganizationService(this.context).add(name, admin.username);
  }
}
