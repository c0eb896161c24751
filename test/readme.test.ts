// README's commands, read as a newcomer runs them: every file they write lands in the one scratch
// folder that .gitignore covers, and `npm ci` has nothing to warn about (every installed package with
// an install script is approved or denied in package.json's allowScripts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The `npx faultline …` and `faultline …` command lines of README's sh blocks. */
function readmeCommands(): string[] {
  const commands: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (/^(npx )?faultline /.test(command)) commands.push(command);
    }
  }
  return commands;
}

/** The paths a command line writes: output flags' values and shell redirections. */
function writtenPaths(command: string): string[] {
  const paths: string[] = [];
  for (const m of command.matchAll(/--(?:out|report|save|trace)\s+(\S+)/g)) paths.push(m[1]!);
  for (const m of command.matchAll(/(?:^|\s)>>?\s*(\S+)/g)) paths.push(m[1]!);
  const shrink = /^(?:npx )?faultline shrink (\S+)/.exec(command);
  if (shrink && !/--out\s/.test(command)) paths.push(shrink[1]!.replace(/(\.json)?$/, '.min.json'));
  return paths;
}

describe('README', () => {
  it('its commands write only into scratch/, which .gitignore covers', () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThan(10);
    const outside = commands.flatMap((c) => writtenPaths(c).filter((p) => p !== '-' && !p.startsWith('scratch/')).map((p) => `${p} (${c})`));
    expect(outside).toEqual([]);
    const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toContain('/scratch/');
    expect(readme).toMatch(/`scratch\/`[^.]*\.gitignore/);
  });

  it('every picture it shows is in the repository', () => {
    const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(pictures.length).toBeGreaterThan(5);
    expect(pictures[0]).toBe('docs/playground.png');
    expect(pictures.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('npm ci has no install script to warn about: each one is approved or denied in package.json', () => {
    const allowScripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
    const modules = join(ROOT, 'node_modules');
    const unreviewed: string[] = [];
    const visit = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (name.startsWith('.')) continue;
        if (name.startsWith('@')) {
          visit(join(dir, name));
          continue;
        }
        const manifest = join(dir, name, 'package.json');
        if (!existsSync(manifest)) continue;
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; scripts?: Record<string, string> };
        const scripts = pkg.scripts ?? {};
        if (['preinstall', 'install', 'postinstall'].some((s) => s in scripts) && !(pkg.name in allowScripts)) unreviewed.push(pkg.name);
      }
    };
    visit(modules);
    expect(unreviewed).toEqual([]);
  });
});
