// The TypeScript sources compiled once to JavaScript in dist/ (the same tree:
// dist/userland/cli/main.js for userland/cli/main.ts), so the omemu command,
// the bench and its workers start without a compiler in the loop. tsx stays
// for development and the tests, which run the sources as they are.
//
// esbuild compiles every source file on its own (each import of another
// source stays an import, its `.ts` rewritten to `.js`): the bench, its
// workers and every script run from there. The omemu command is one more
// file, dist/omemu.js, a bundle of the CLI and the packages it uses: Node 20
// spends a few milliseconds resolving and linking each ES module, which over
// the 140 files and their packages was most of `omemu --help`. The plotting
// stack (vega, vega-lite, resvg) stays outside it and loads on the first
// drawing. Both take about a second, so a stale build is simply rebuilt
// where it is noticed. tsc stays the type checker (make typecheck); esbuild
// only strips the types.
//
// Why esbuild and not tsc's rewriteRelativeImportExtensions: tsc's emit of
// the tree takes tens of seconds where esbuild takes one, which decides
// whether the guard can rebuild on the spot, and tsc cannot bundle.
//
// The guard: a build is stale when a source file or folder is newer than
// the newest one the build saw (a folder's time covers files added, removed
// or renamed in it). `make build`, `omemu` and the bench check it; omemu
// rebuilds and says so on stderr.
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = join(ROOT, 'dist');
/** The folders compiled (tests/ run under tsx only). */
const SOURCE_DIRS = ['kernel', 'mm', 'net', 'om', 'userland'];
const STAMP = join(DIST, '.build.json');
/**
 * The plain .js sources the compiled tree needs beside its own files (pool.js
 * starts its workers with ./pool_boot.js). The others (this file, the omemu
 * entry) run from the source tree only.
 */
const COPIED_JS = new Set(['userland/pool_boot.js']);
/** Loaded only when a command draws (see userland/bench/plots.ts). */
const PLOTTING = ['vega', 'vega-lite', '@resvg/resvg-wasm'];

/** Every source file (.ts, and the plain .js ones, copied as they are), and the newest of them and their folders. */
function scan_sources() {
  const files = [];
  let newest = { ms: 0, path: '' };
  const see = (p, dir) => {
    const ms = statSync(p).mtimeMs;
    if (ms > newest.ms) newest = { ms, path: dir ? `${relative(ROOT, p)}/ (a file added, removed or renamed there)` : relative(ROOT, p) };
  };
  const walk = (dir) => {
    see(dir, true);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        files.push(p);
        see(p, false);
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  return { files, newest_ms: newest.ms, newest_path: newest.path };
}

/** Why the build cannot be used as it is ('missing', 'stale: FILE is newer than the build'), or null when it is current. */
export function build_state() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'missing';
  }
  const { newest_ms, newest_path } = scan_sources();
  return newest_ms <= stamp.newest_ms ? null : `stale: ${newest_path} is newer than the build`;
}

/**
 * Compile every source into dist/. The output is made in a fresh folder and
 * each file renamed into place, so a process reading dist/ meanwhile (a
 * bench, another omemu rebuilding at the same moment) sees whole files.
 */
export async function build() {
  const t0 = performance.now();
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('esbuild is not installed (a devDependency): run `npm ci` in the omemu folder, then `make build`');
  }
  const { files, newest_ms } = scan_sources();
  const compiled = files.filter((f) => f.endsWith('.ts') || COPIED_JS.has(relative(ROOT, f)));
  mkdirSync(DIST, { recursive: true });
  const tmp = mkdtempSync(join(DIST, '.tmp-'));
  /** What both builds share. */
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'silent', // the errors come back in the exception (file:line:col: text), said once by the caller
    absWorkingDir: ROOT,
  };
  try {
    await esbuild.build({
      ...common, // bundle: only so the plugin below sees every import; each one stays external
      entryPoints: compiled,
      outdir: tmp,
      outbase: ROOT,
      plugins: [
        {
          name: 'keep-imports',
          setup(b) {
            // Every import stays an import: a package as it is, another source with its .ts made .js.
            b.onResolve({ filter: /.*/ }, (a) => {
              // A JSON file (package.json's version) is copied in; anything else stays an import.
              if (a.kind === 'entry-point' || a.path.endsWith('.json')) return null;
              const rel = a.path.startsWith('./') || a.path.startsWith('../');
              return { path: rel ? a.path.replace(/\.ts$/, '.js') : a.path, external: true };
            });
          },
        },
      ],
    });
    await esbuild.build({
      ...common,
      entryPoints: [join(ROOT, 'userland/cli/main.ts')],
      outfile: join(tmp, 'omemu.js'),
      external: PLOTTING,
      // The packages bundled are CommonJS that require node's own modules.
      banner: { js: "import { createRequire as __omemu_require } from 'node:module'; const require = __omemu_require(import.meta.url);" },
      plugins: [
        {
          name: 'source-urls',
          setup(b) {
            // A source's import.meta.url is its own compiled file's (dist/x/y.js), so the
            // files it names relative to itself (a worker module, the tree's root) are found
            // as they are from the per-file build.
            b.onLoad({ filter: /\.ts$/ }, (a) => {
              if (a.path.includes('/node_modules/')) return null;
              const own = './' + relative(ROOT, a.path).replace(/\.ts$/, '.js');
              const text = readFileSync(a.path, 'utf8').replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(own)}, import.meta.url).href`);
              return { contents: text, loader: 'ts' };
            });
          },
        },
      ],
    });
    const moved = [];
    const move_tree = (from) => {
      for (const e of readdirSync(from, { withFileTypes: true })) {
        const p = join(from, e.name);
        if (e.isDirectory()) move_tree(p);
        else moved.push(p);
      }
    };
    move_tree(tmp);
    for (const p of moved) {
      const to = join(DIST, relative(tmp, p));
      mkdirSync(dirname(to), { recursive: true });
      renameSync(p, to);
    }
    writeFileSync(STAMP + `.${process.pid}`, JSON.stringify({ newest_ms, files: files.length }) + '\n');
    renameSync(STAMP + `.${process.pid}`, STAMP);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { files: compiled.length, ms: performance.now() - t0 };
}

/** Build when missing or stale; `say` hears one line when it does. */
export async function ensure_built(say) {
  const state = build_state();
  if (state === null) return;
  const r = await build();
  say(`${state === 'missing' ? 'no build yet' : state}: compiled ${r.files} files into dist/ in ${(r.ms / 1000).toFixed(1)} s`);
}

/** The compiled twin of a source URL (dist/x/y.js for x/y.ts). */
export function dist_url(src) {
  const p = fileURLToPath(src);
  return new URL(`file://${join(DIST, relative(ROOT, p)).replace(/\.ts$/, '.js')}`);
}

// `node userland/compile.js [--if-stale]`: the Makefile's build step.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const if_stale = process.argv.includes('--if-stale');
  if (!if_stale || build_state() !== null) {
    const r = await build();
    process.stdout.write(`compiled ${r.files} files into dist/ in ${(r.ms / 1000).toFixed(2)} s\n`);
  }
  if (!existsSync(STAMP)) process.exit(1);
}
