// Builds GraphiQL into ../internal/server/graphiql, which the API binary
// embeds: index.html, and under assets/ the bundles, each named by a hash
// of its content so that the server can let browsers cache them for good.
// Run through `make web`; the output is not committed.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'internal', 'server', 'graphiql');
const assets = path.join(out, 'assets');
// The URL path under which the server serves assets/, relative to the page.
const assetsURL = 'graphiql/';

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  target: ['chrome120', 'firefox120', 'safari17'],
  outdir: assets,
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

// outputs maps each entry point's name to the file it was bundled into.
function outputs(result, ext) {
  const names = {};
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint && file.endsWith(ext)) {
      names[path.basename(meta.entryPoint, path.extname(meta.entryPoint)).replace(/\.worker$/, '')] = path.basename(file);
    }
  }
  return names;
}

// Only what this build writes stays in the folder: README.md is committed.
await rm(assets, { recursive: true, force: true });
await rm(path.join(out, 'index.html'), { force: true });
await mkdir(assets, { recursive: true });

// Workers first, so the page's bundle can be told their file names.
const workers = await esbuild.build({
  ...common,
  entryPoints: {
    editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
    json: 'monaco-editor/esm/vs/language/json/json.worker.js',
    graphql: 'monaco-graphql/esm/graphql.worker.js',
  },
  entryNames: '[name].worker-[hash]',
  format: 'iife',
});
const workerFiles = Object.fromEntries(
  Object.entries(outputs(workers, '.js')).map(([label, file]) => [label, assetsURL + file]),
);

const page = await esbuild.build({
  ...common,
  entryPoints: { main: path.join(here, 'src', 'main.jsx') },
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  format: 'iife',
  jsx: 'automatic',
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
  define: { ...common.define, WORKERS: JSON.stringify(workerFiles) },
});
const js = outputs(page, '.js').main;
const css = Object.keys(page.metafile.outputs).map((f) => path.basename(f)).find((f) => f.startsWith('main-') && f.endsWith('.css'));
if (!js || !css) {
  throw new Error(`build produced no page bundle: ${Object.keys(page.metafile.outputs).join(', ')}`);
}

// No inline script or style: the server's Content-Security-Policy allows
// scripts from its own origin only.
await writeFile(
  path.join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>companygraph · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetsURL}${css}">
<script defer src="${assetsURL}${js}"></script>
</head>
<body>
<div id="graphiql"><noscript>GraphiQL needs JavaScript. The API answers at <a href="graphql">/graphql</a>;
its schema is at <a href="schema.graphql">/schema.graphql</a>.</noscript></div>
</body>
</html>
`,
);

// A gzip copy beside each bundle, which the server sends to browsers that
// take gzip: the bundles shrink to about a quarter.
const files = await readdir(assets);
for (const f of files.filter((f) => /\.(js|css|ttf)$/.test(f))) {
  const body = await readFile(path.join(assets, f));
  await writeFile(path.join(assets, f + '.gz'), gzipSync(body, { level: constants.Z_BEST_COMPRESSION }));
}
console.log(`GraphiQL built into ${path.relative(process.cwd(), out)}: index.html and ${files.length} assets`);
