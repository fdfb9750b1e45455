// Builds the page into dist/: index.html plus content-hashed assets (script, styles, fonts).
// Everything comes from node_modules, pinned by package-lock.json; nothing is fetched at run time.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as esbuild from 'esbuild';

await rm('dist', { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  outdir: 'dist/assets',
  entryNames: '[name]-[hash]',
  assetNames: 'fonts/[name]-[hash]',
  loader: { '.woff2': 'file', '.woff': 'file', '.graphql': 'text' },
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const find = (ext) => outputs.find((name) => name.startsWith('app-') && name.endsWith(ext));
const html = (await readFile('index.html', 'utf8'))
  .replace('{{app.css}}', find('.css'))
  .replace('{{app.js}}', find('.js'));
await writeFile('dist/index.html', html);
console.log(`built dist/: ${find('.js')}, ${find('.css')}, ${outputs.filter((n) => /\.woff2?$/.test(n)).length} font files`);
