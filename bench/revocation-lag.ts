/**
 * P4: revocation lag across two `lapis serve` processes on one PostgreSQL. Each PAT is verified (and cached) by
 * instance B, revoked on instance A's web pages, and B is then asked back to back (no polling interval) until it
 * refuses. The lag is from A's answer to the moment the first request B refuses was sent: every request sent from
 * then on is refused. How long B then takes to send that refusal back is B's answer time, not the revocation's,
 * and is reported beside it (`…ToAnswer`). B's cache lifetime is the longest allowed (1 s), so a lag far below it
 * comes from the change notice, not from expiry.
 * Run: npx tsc -b tsconfig.build.json && npx tsx bench/revocation-lag.ts (BENCH_REVOCATIONS, LAPIS_BENCH_DATABASE_URL)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildServices } from '../src/compose.js';
import { loadConfig } from '../src/config/load.js';
import { systemClock } from '../src/domain/clock.js';
import { openPostgresStore } from '../src/storage/postgres/open.js';
import { formFields, httpBrowser } from '../test/support/http-browser.js';
import type { Figure } from './figures.js';
import { machine, writeSection } from './results.js';

/** What one run measured, in milliseconds unless named otherwise. */
export interface RevocationLag {
  revocations: number;
  /** From A's answer to the sending of the first request B refused. */
  p50: number;
  p99: number;
  max: number;
  /** From A's answer to the arrival of B's first refusal (one B answer time more). */
  p50ToAnswer: number;
  p99ToAnswer: number;
  /** From the revocation request (before A's answer) to the arrival of B's first refusal. */
  p50FromRequest: number;
  p99FromRequest: number;
  /** How long instance B takes to answer one request (median over every request of the run): the floor of any lag. */
  answerMs: number;
  /** Answers of 200 B gave after A had answered (the notice not yet heard), per revocation. */
  staleAnswersMean: number;
  cacheMs: number;
  noticeMeanMs: number;
  noticeWithin100msShare: number;
  loadAverage: number;
}

const lapisBin = fileURLToPath(new URL('../bin/lapis', import.meta.url));
const password = 'revocation lag bench password';

interface Instance {
  url: string;
  child: ChildProcess;
}

function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [lapisBin, 'serve', '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', LAPIS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Lapis listening on (\S+)/.exec(output);
      if (match?.[1]) resolve({ url: match[1], child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.once('exit', (code) => reject(new Error(`lapis serve exited with ${code}: ${output}`)));
  });
}

async function stopInstance(instance: Instance): Promise<void> {
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  await exited;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/**
 * Once more after a network error: the server closes keep-alive connections idle past 5 s, and on a loaded machine
 * the client may reuse one in the same instant (ECONNRESET). Every request retried here is idempotent.
 */
async function retried<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return request();
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** B's own view of the notices: mean publish-to-arrival time and the share that arrived within 100 ms. */
async function noticeLag(instance: Instance): Promise<{ meanMs: number; within100msShare: number }> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  const value = (prefix: string) =>
    Number(
      text
        .split('\n')
        .find((line) => line.startsWith(prefix))
        ?.split(' ')
        .at(-1) ?? Number.NaN,
    );
  const count = value('lapis_change_notification_lag_seconds_count ');
  return {
    meanMs: (value('lapis_change_notification_lag_seconds_sum ') / count) * 1000,
    within100msShare: value('lapis_change_notification_lag_seconds_bucket{le="0.1"}') / count,
  };
}

export async function measure(revocations = Number(process.env.BENCH_REVOCATIONS ?? 200)): Promise<RevocationLag> {
  const base = new URL(
    process.env.LAPIS_BENCH_DATABASE_URL ?? process.env.LAPIS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  const schema = `lapis_bench_lag_${randomBytes(4).toString('hex')}`;
  base.searchParams.set('schema', schema);
  const url = base.toString();
  const dir = mkdtempSync(join(tmpdir(), 'lapis-bench-lag-'));
  const shared = {
    LAPIS_DATABASE_URL: url,
    LAPIS_TOKEN_SECRET: randomBytes(32).toString('hex'),
    LAPIS_SESSION_SECRET: randomBytes(32).toString('hex'),
    LAPIS_OAUTH_KEYS_FILE: join(dir, 'oauth-keys.json'),
  };
  const store = openPostgresStore({ url, poolSize: 2 });
  const instances: Instance[] = [];
  try {
    await store.migrate();
    const services = buildServices(store, systemClock, loadConfig({ env: { ...shared, LAPIS_DATA_DIR: dir } }));
    const alice = await services.users.add({ username: 'alice', password });
    const contoso = await services.organizations.add('contoso', 'alice');
    const tokens = [];
    for (let i = 0; i < revocations; i++) {
      const created = await services.tokens.create({
        user: alice,
        displayName: `lag-${i}`,
        scope: 'vso.project',
        organizationId: contoso.id,
        days: 1,
      });
      tokens.push({ id: created.token.id, authorization: `Basic ${Buffer.from(`:${created.text}`).toString('base64')}` });
    }
    // Metrics open: the instances listen on loopback only.
    const env = { ...shared, LAPIS_AUTH_CACHE_MS: '1000', LAPIS_METRICS: 'on' };
    const a = await startInstance({ ...env, LAPIS_DATA_DIR: mkdtempSync(join(dir, 'a-')) });
    instances.push(a);
    const b = await startInstance({ ...env, LAPIS_DATA_DIR: mkdtempSync(join(dir, 'b-')) });
    instances.push(b);

    const browser = httpBrowser(a.url);
    const form = await browser.get('/_signin');
    const signedIn = await browser.post('/_signin', {
      ...formFields(await form.text(), '/_signin'),
      username: 'alice',
      password,
    });
    if (signedIn.status !== 303) throw new Error(`sign-in on instance A answered ${signedIn.status}`);

    const projects = `${b.url}/contoso/_apis/projects?api-version=7.1`;
    const answers: number[] = [];
    const askB = async (authorization: string) => {
      const asked = performance.now();
      const response = await retried(() => fetch(projects, { headers: { authorization, 'x-tfs-fedauthredirect': 'Suppress' } }));
      await response.arrayBuffer();
      answers.push(performance.now() - asked);
      return { status: response.status, asked };
    };
    const lags: number[] = [];
    const toAnswer: number[] = [];
    const fromRequest: number[] = [];
    let staleAnswers = 0;
    for (const token of tokens) {
      if ((await askB(token.authorization)).status !== 200) throw new Error('instance B refused a valid token');
      const action = `/contoso/_usersSettings/tokens/${token.id}/revoke`;
      const fields = formFields(await (await retried(() => browser.get(action))).text(), action);
      const sent = performance.now();
      // Revoking twice is harmless (the second answer is the same redirect).
      const revoked = await retried(() => browser.post(action, fields));
      const answered = performance.now();
      if (revoked.status !== 303) throw new Error(`revocation on instance A answered ${revoked.status}`);
      let ask = await askB(token.authorization);
      while (ask.status === 200) {
        staleAnswers++;
        ask = await askB(token.authorization);
      }
      const refused = performance.now();
      lags.push(ask.asked - answered);
      toAnswer.push(refused - answered);
      fromRequest.push(refused - sent);
    }
    const notices = await noticeLag(b);
    lags.sort((x, y) => x - y);
    toAnswer.sort((x, y) => x - y);
    fromRequest.sort((x, y) => x - y);
    answers.sort((x, y) => x - y);
    return {
      revocations,
      p50: round(percentile(lags, 50)),
      p99: round(percentile(lags, 99)),
      max: round(lags.at(-1) ?? Number.NaN),
      p50ToAnswer: round(percentile(toAnswer, 50)),
      p99ToAnswer: round(percentile(toAnswer, 99)),
      p50FromRequest: round(percentile(fromRequest, 50)),
      p99FromRequest: round(percentile(fromRequest, 99)),
      answerMs: round(percentile(answers, 50)),
      staleAnswersMean: round(staleAnswers / revocations),
      cacheMs: 1000,
      noticeMeanMs: round(notices.meanMs),
      noticeWithin100msShare: round(notices.within100msShare),
      loadAverage: round(loadavg()[0] ?? Number.NaN),
    };
  } finally {
    for (const instance of instances) await stopInstance(instance);
    await store.close();
    const adminUrl = new URL(base);
    adminUrl.search = '';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** P4 as the suite (`npm run bench`) reports it: p99 against the issue's bound, beside B's own answer time. */
export async function run(): Promise<Figure[]> {
  const lag = await measure();
  return [
    {
      id: 'P4',
      name: `Revocation lag across two \`lapis serve\` on PostgreSQL, ${lag.revocations} revocations: A's answer to the first request B refuses`,
      value: `p99 ${lag.p99} ms, p50 ${lag.p50} ms (to B's refusal arriving: p99 ${lag.p99ToAnswer} ms, p50 ${lag.p50ToAnswer} ms; notice mean ${lag.noticeMeanMs} ms; ${lag.staleAnswersMean} stale answers per revocation)`,
      baseline: `${lag.answerMs} ms: B's median answer to one request`,
      ratio: lag.p99 / lag.answerMs,
      target: 'p99 ≤ 100 ms',
      met: lag.p99 <= 100,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const detail = await measure();
  console.log(JSON.stringify(detail, null, 2));
  writeSection(
    'Revocation lag (P4)',
    `Two \`lapis serve\` processes on one PostgreSQL (LISTEN/NOTIFY), ${detail.revocations} revocations, each made on instance A's web pages while instance B holds the token in its cache (lifetime ${detail.cacheMs} ms). B is asked back to back (no polling interval: each ask starts when the last answer arrives). The lag is from A's answer to the sending of the first request B refuses; B's answer time comes on top of it before the refusal arrives. Target: p99 ≤ 100 ms.

| | p50 | p99 | max |
| --- | --- | --- | --- |
| from A's answer to the first refused request | ${detail.p50} ms | ${detail.p99} ms | ${detail.max} ms |
| from A's answer to B's refusal arriving | ${detail.p50ToAnswer} ms | ${detail.p99ToAnswer} ms | |
| from the revocation request to B's refusal arriving | ${detail.p50FromRequest} ms | ${detail.p99FromRequest} ms | |

The notice itself (instance B's \`lapis_change_notification_lag_seconds\`): mean ${detail.noticeMeanMs} ms, ${Math.round(detail.noticeWithin100msShare * 100)} % within 100 ms. B answers one request in ${detail.answerMs} ms (median); after A's answer B still said 200 ${detail.staleAnswersMean} times per revocation on average. Load average at the end: ${detail.loadAverage}.

${machine()}`,
  );
}
