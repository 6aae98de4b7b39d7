// Bundles one action: `node scripts/bundle.mjs <action dir>` (each action's `package` script).
//
// dist/index.js is built from src/index.ts alone, in ONE file that holds only the input reader:
// a bad input fails after loading that file and nothing else. Its dynamic imports of the action's
// own modules (`import('./main.js')`, `import('./cleanup.js')`) are the entry points of a second
// build, split into dist/<name>.js and shared dist/chunks/ so that nothing ships twice (a post
// step runs dist/index.js too). What the input reader shares with the main code (kernel errors, a
// few parsers) is in both builds: a few KB, against one extra module load per shared chunk.
//
// Both builds are minified ES modules for node24; esbuild resolves `module` before `main`, so the
// AWS SDK's ES builds are tree-shaken. dist/licenses.txt lists the license of every package
// bundled. undici (400 KB) is left out: @actions/http-client imports it only for
// `HttpClient.getAgentDispatcher`, a proxy for fetch that nothing we bundle calls.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const actionDir = resolve(process.argv[2] ?? '.');
const dist = join(actionDir, 'dist');

/** Replaces undici, as imported by @actions/http-client, with a ProxyAgent that says why it is missing. */
const withoutUndici = {
  name: 'without-undici',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) =>
      args.importer.includes('@actions/http-client') ? { path: 'undici', namespace: 'left-out' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({
      contents: `export class ProxyAgent {
        constructor() { throw new Error('undici is not bundled: see scripts/bundle.mjs'); }
      }`,
      loader: 'js',
    }));
  },
};

/**
 * In the input reader, yaml's ES build (its export for other platforms than Node) instead of its
 * CommonJS Node build: evaluating the CommonJS one costs deploy-stack's bad-input path ~8 ms, a
 * third of a bare `node -e 0`. The two differ in how they print warnings (console.warn instead of
 * process.emitWarning) and in !!binary values (YAML 1.1 schema), which reading inputs never meets.
 */
const yamlEsBuild = {
  name: 'yaml-es-build',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, (args) => ({
      path: join(dirname(createRequire(args.importer).resolve('yaml/package.json')), 'browser', 'index.js'),
    }));
  },
};

/** The modules src/index.ts imports dynamically, by output name: they become the second build's entries. */
const lazyEntries = {};

/** Keeps `import('./x.js')` in src/index.ts as it is, and notes src/x.ts as an entry of the second build. */
const lazyOwnModules = {
  name: 'lazy-own-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || args.importer !== join(actionDir, 'src', 'index.ts')) return undefined;
      const name = args.path.slice(2, -3);
      lazyEntries[name] = `src/${name}.ts`;
      return { path: args.path, external: true };
    });
  },
};

const common = {
  absWorkingDir: actionDir,
  bundle: true,
  format: 'esm',
  minify: true,
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  // Licenses go to licenses.txt, whole, rather than as comments scattered in the chunks.
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning',
};

const entry = await build({
  ...common,
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  plugins: [withoutUndici, lazyOwnModules, yamlEsBuild],
});
const lazy =
  Object.keys(lazyEntries).length === 0
    ? undefined
    : await build({
        ...common,
        entryPoints: lazyEntries,
        outdir: 'dist',
        chunkNames: 'chunks/[name]-[hash]',
        splitting: true,
        plugins: [withoutUndici],
      });

// CommonJS code (yaml, ...) calls require() for Node's modules, and an ES module has none: the file
// that holds esbuild's require shim gets a real one. Other files do without the extra import.
const REQUIRE = 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);\n';
rmSync(dist, { recursive: true, force: true });
for (const file of [...entry.outputFiles, ...(lazy?.outputFiles ?? [])]) {
  mkdirSync(dirname(file.path), { recursive: true });
  const needsRequire = file.text.includes('Dynamic require of "');
  writeFileSync(file.path, needsRequire ? REQUIRE + file.text : file.text);
}
// The chunks are ES modules wherever the action is checked out.
writeFileSync(join(dist, 'package.json'), '{"type":"module"}\n');

/** The package.json that owns a bundled file under node_modules, or undefined for our own sources. */
function owningPackage(file) {
  if (!file.includes('node_modules/')) return undefined;
  for (let dir = dirname(resolve(actionDir, file)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    // Nested package.json files (`{"type":"module"}` in dist-es/) carry no name.
    if (pkg.name) return { dir, pkg };
  }
  return undefined;
}

/** The license text a package ships, if any. */
function licenseText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : '';
}

const packages = new Map();
for (const input of [entry, lazy].flatMap((result) => Object.keys(result?.metafile.inputs ?? {}))) {
  const owner = owningPackage(input);
  if (owner && !packages.has(owner.pkg.name)) packages.set(owner.pkg.name, owner);
}
// Packages that ship the same license text share one copy of it (most of the AWS SDK ships Apache-2.0's).
const byText = new Map();
for (const [name, { dir, pkg }] of [...packages.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
  const text = licenseText(dir) || `(${name} ships no license file; package.json says ${license})`;
  byText.set(text, [...(byText.get(text) ?? []), `${name}@${pkg.version} (${license})`]);
}
const sections = [...byText].map(([text, names]) => `${names.join('\n')}\n\n${text}`);
writeFileSync(join(dist, 'licenses.txt'), `${sections.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`);
