import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { underCi } from './ci.js';

export const nginxPath = '/usr/sbin/nginx';

/** Whether proxy tests run: without Debian's nginx they skip with a notice, except under CI (see `underCi`). */
export const nginxAvailable: boolean = (() => {
  const found = existsSync(nginxPath);
  if (!found && underCi) throw new Error(`${nginxPath} is required under CI (apt-get install -y nginx)`);
  if (!found) console.warn(`\n*** NOTICE: ${nginxPath} is missing: reverse proxy tests are SKIPPED ***\n`);
  return found;
})();

/** A port nobody listens on right now (the kernel's choice for port 0, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ReverseProxy {
  /** The proxy's URL for the prefix, without a trailing slash: `http://127.0.0.1:PORT/lapis`. */
  url: string;
  stop(): Promise<void>;
}

function config(dir: string, port: number, prefix: string, upstream: string): string {
  const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`;
  return `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen 127.0.0.1:${port};
    location ${prefix}/ {
      proxy_pass ${upstream}/;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}

async function waitUntilServing(url: string, child: ChildProcess, errorLog: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) break;
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
  throw new Error(`nginx did not start (exit ${child.exitCode}):\n${log}`);
}

/** Runs nginx as a child process on a free port, serving `prefix` from `upstream` with the prefix stripped. */
export async function startReverseProxy(options: { port: number; prefix: string; upstream: string }): Promise<ReverseProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'lapis-nginx-'));
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config(dir, options.port, options.prefix, options.upstream.replace(/\/+$/, '')));
  const errorLog = join(dir, 'error.log');
  const child = spawn(nginxPath, ['-c', file, '-p', dir, '-e', errorLog], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}${options.prefix}`;
  try {
    await waitUntilServing(`${url}/_health`, child, errorLog);
  } catch (error) {
    child.kill('SIGQUIT');
    throw error;
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
