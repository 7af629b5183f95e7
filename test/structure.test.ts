/**
 * The layout shows the architecture (docs/development.md): the adapters (src/cli, src/console)
 * stand side by side over the runtime (src/app), the core (src/core) knows none of them nor the
 * store's engines (src/store), and no module reaches itself again through what it loads up front.
 * Read from the sources' import statements; dynamic `import()`, which loads on first use, and
 * `import type`, which leaves nothing behind at run time, are not loads up front.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, test } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Each module (relative to src/, without .ts) and the modules of src/ it imports, every kind of import, or the up-front ones. */
function imports(upFrontOnly: boolean): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const pattern = upFrontOnly
      ? /^(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm
      : /(?:from\s+|import\s*\(\s*|^import\s+)['"](\.[^'"]+)['"]/gm;
    const targets = [...text.matchAll(pattern)].map((match) =>
      relative(SRC, resolve(dirname(file), match[1]!)).replace(/\.js$/, ''),
    );
    graph.set(relative(SRC, file).replace(/\.ts$/, ''), targets);
  }
  return graph;
}

const layer = (module: string) => module.split('/')[0]!;

/**
 * `orgs console` and `orgs serve` start the Console's server (with its page, or its API alone): the
 * one way from one adapter to another, loaded only by those commands.
 */
const LAUNCHERS = ['cli/console → console/server', 'cli/serve → console/server'];

test.each([
  ['core', ['app', 'cli', 'console', 'store']],
  ['console', ['cli']],
  ['cli', ['console']],
  ['store', ['app', 'cli', 'console']],
  ['app', ['cli', 'console']],
])('src/%s imports nothing from src/{%s}', (from, forbidden) => {
  const crossings = [...imports(false)].flatMap(([module, targets]) =>
    layer(module) === from ? targets.filter((t) => forbidden.includes(layer(t))).map((t) => `${module} → ${t}`) : [],
  );
  expect(crossings.filter((crossing) => !LAUNCHERS.includes(crossing))).toEqual([]);
});

test('no module imports itself again through what it loads up front', () => {
  const graph = imports(true);
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (module: string, path: string[]) => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'open') {
      circles.push([...path.slice(path.indexOf(module)), module].join(' → '));
      return;
    }
    state.set(module, 'open');
    for (const next of graph.get(module) ?? []) visit(next, [...path, module]);
    state.set(module, 'done');
  };
  for (const module of graph.keys()) visit(module, []);
  expect(circles).toEqual([]);
});
