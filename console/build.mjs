// Builds the console into dist/: one hashed script and one hashed stylesheet (every asset bundled,
// nothing fetched at run time) and index.html referring to them, with no inline script (the
// gateway serves it with `script-src 'self'`). Prints the gzipped size and fails above the budget.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Total gzipped size allowed for script + stylesheet + page, bytes (issue 14: ≤ 250 KB). */
export const BUDGET_BYTES = 250 * 1024;

const root = import.meta.dirname;
const dist = resolve(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(resolve(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [resolve(root, 'src/main.tsx'), resolve(root, 'src/styles.css')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  write: false,
  outdir: resolve(dist, 'assets'),
  legalComments: 'none',
  logLevel: 'warning',
});

const files = {};
for (const file of result.outputFiles) {
  const ext = file.path.endsWith('.css') ? 'css' : 'js';
  const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
  const name = `app-${hash}.${ext}`;
  writeFileSync(resolve(dist, 'assets', name), file.contents);
  files[ext] = { name, bytes: file.contents.length, gzip: gzipSync(file.contents).length };
}
const html = readFileSync(resolve(root, 'src/index.html'), 'utf8')
  .replace('%SCRIPT%', `/assets/${files.js.name}`)
  .replace('%STYLE%', `/assets/${files.css.name}`);
writeFileSync(resolve(dist, 'index.html'), html);
const htmlGzip = gzipSync(html).length;
const total = files.js.gzip + files.css.gzip + htmlGzip;
const summary = { script: files.js, stylesheet: files.css, html_gzip: htmlGzip, total_gzip: total, budget: BUDGET_BYTES };
writeFileSync(resolve(dist, 'bundle-size.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `console: ${files.js.name} ${(files.js.gzip / 1024).toFixed(1)} KB gzip, ${files.css.name} ${(files.css.gzip / 1024).toFixed(1)} KB gzip; total ${(total / 1024).toFixed(1)} KB of ${BUDGET_BYTES / 1024} KB`,
);
if (total > BUDGET_BYTES) {
  console.error(`console bundle is ${total} bytes gzipped, above the ${BUDGET_BYTES}-byte budget`);
  process.exit(1);
}
