import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const file = new URL('../docs/benchmarks.md', import.meta.url);

export function machine(): string {
  return `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}`;
}

/** Replaces (or appends) one `## heading` section of docs/benchmarks.md, leaving the others alone. */
export function writeSection(heading: string, body: string): void {
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nEach benchmark in `bench/` is run on demand (`npm run bench` for the suite table, `npm run bench:<name>` for one study, e.g. `npm run bench:audit`) and rewrites its own section here. Figures are ratios within one run wherever possible, because this machine is shared and noisy.\n';
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const pattern = new RegExp(`## ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=\\n## |$)`);
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
}
