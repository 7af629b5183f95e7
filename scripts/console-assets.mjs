// The Console page's script (src/console/page/app.ts and the modules it imports, bundled for the
// browser) and style, as the source of the module `console-assets` that src/console/page.ts
// imports: the build makes it (scripts/build.mjs), and so do the tests that serve the Console
// in-process (vitest.config.ts), from this one description.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const PAGE = resolve(import.meta.dirname, '..', 'src', 'console', 'page');

/** The module's source, and the files it was made of (for a build that watches them). */
export function consoleAssets() {
  const script = buildSync({
    entryPoints: [join(PAGE, 'app.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const style = join(PAGE, 'app.css');
  return {
    contents:
      `export const APP_JS = ${JSON.stringify(script.outputFiles[0].text.trim())};\n` +
      `export const APP_CSS = ${JSON.stringify(readFileSync(style, 'utf8').trim())};\n`,
    files: [...Object.keys(script.metafile.inputs).map((input) => resolve(input)), style],
  };
}
