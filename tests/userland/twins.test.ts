// The reading guide's "Twins" tables (docs/reading-guide.md) must name code that exists. Each row lists
// omemu names (`name`, `Class.member`, or `.member` for another member of
// the class before it) and the file that declares them; the test parses
// every .ts file under kernel/, mm/, net/, om/ and userland/ with the
// TypeScript compiler and fails when a listed name is not declared in its
// file as a function, constant, class (or interface) or one of its members,
// or when a listed message type is not in om/proto.ts's MSG_NAMES. A rename
// then breaks this test until the row follows it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { MSG_NAMES } from '../../om/proto.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SOURCE_DIRS = ['kernel', 'mm', 'net', 'om', 'userland'];
const DOC = 'docs/reading-guide.md';
/** The tables run from this heading to the end of the page, under headings of their own. */
const SECTION = '## Twins';
const COLUMNS = 5; // omemu | in | C twin | C file | where omemu departs

interface Row {
  line: number;
  names: string[];
  file: string;
  cells: string[];
}

/** What one source file declares: module-level names, and each class's or interface's members. */
interface Decls {
  top: Set<string>;
  members: Map<string, Set<string>>;
}

/** The section's table rows, or the first thing wrong with its shape. */
function parse_twins(readme: string): { rows: Row[]; errors: string[] } {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.trim() === SECTION);
  if (start < 0) return { rows: [], errors: [`${DOC} has no "${SECTION}" section`] };
  const rows: Row[] = [];
  const errors: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l.startsWith('|')) continue;
    const next = lines[i + 1]?.trim() ?? '';
    if (/^\|[\s:|-]+\|$/.test(l)) continue; // the separator
    if (/^\|[\s:|-]+\|$/.test(next)) continue; // a header row
    const cells = split_row(l);
    const where = `${DOC}:${i + 1}`;
    if (cells.length !== COLUMNS) {
      errors.push(`${where}: ${cells.length} cells, expected ${COLUMNS}`);
      continue;
    }
    const empty = cells.findIndex((c) => c === '');
    if (empty >= 0) {
      errors.push(`${where}: cell ${empty + 1} is empty`);
      continue;
    }
    const names: string[] = [];
    let cls = '';
    for (const m of cells[0]!.matchAll(/`([^`]+)`/g)) {
      let n = m[1]!;
      if (n.startsWith('.')) {
        if (!cls) errors.push(`${where}: ${n} has no class before it`);
        n = cls + n;
      } else if (n.includes('.')) cls = n.slice(0, n.indexOf('.'));
      if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/.test(n)) errors.push(`${where}: \`${m[1]}\` is not a name`);
      names.push(n);
    }
    if (names.length === 0) errors.push(`${where}: no \`name\` in the first cell`);
    rows.push({ line: i + 1, names, file: cells[1]!, cells });
  }
  if (rows.length === 0 && errors.length === 0) errors.push(`the "${SECTION}" section has no table rows`);
  return { rows, errors };
}

/** Cells of a markdown table row; `\|` is a pipe inside a cell. */
function split_row(l: string): string[] {
  const cells = l.slice(1, l.endsWith('|') ? -1 : undefined).split(/(?<!\\)\|/);
  return cells.map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The declarations of one file's text. */
function decls_of(path: string, text: string): Decls {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const top = new Set<string>();
  const members = new Map<string, Set<string>>();
  const add_members = (owner: string, ms: readonly ts.Node[]) => {
    const set = members.get(owner) ?? new Set<string>();
    for (const m of ms) {
      const name = (m as { name?: ts.Node }).name;
      if (name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name))) set.add(name.text);
      // Constructor parameters declared as fields (`constructor(readonly node: Node)`).
      if (ts.isConstructorDeclaration(m)) {
        for (const p of m.parameters) if (ts.isIdentifier(p.name) && ts.getModifiers(p)?.length) set.add(p.name.text);
      }
    }
    members.set(owner, set);
  };
  for (const s of sf.statements) {
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) {
      top.add(s.name.text);
      if (ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isEnumDeclaration(s)) add_members(s.name.text, s.members);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) top.add(d.name.text);
    }
  }
  return { top, members };
}

function* ts_files(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* ts_files(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

/** Every source file's declarations, by path relative to the repository. */
function index_sources(): Map<string, Decls> {
  const index = new Map<string, Decls>();
  for (const d of SOURCE_DIRS) {
    for (const p of ts_files(join(ROOT, d))) index.set(relative(ROOT, p), decls_of(p, readFileSync(p, 'utf8')));
  }
  return index;
}

const declares = (d: Decls | undefined, name: string): boolean => {
  if (!d) return false;
  const dot = name.indexOf('.');
  return dot < 0 ? d.top.has(name) : d.members.get(name.slice(0, dot))?.has(name.slice(dot + 1)) === true;
};

/** Every listed name that the code no longer declares where the table says. */
function check_twins(rows: Row[], index: Map<string, Decls>, msg_names: ReadonlySet<string>): string[] {
  const bad: string[] = [];
  for (const r of rows) {
    const where = `${DOC}:${r.line}`;
    if (!SOURCE_DIRS.some((d) => r.file.startsWith(`${d}/`)) || !r.file.endsWith('.ts')) {
      bad.push(`${where}: "${r.file}" is not a .ts file under ${SOURCE_DIRS.join('/, ')}/`);
      continue;
    }
    const d = index.get(r.file);
    if (!d) {
      bad.push(`${where}: ${r.file} does not exist`);
      continue;
    }
    for (const n of r.names) {
      if (!declares(d, n)) {
        const elsewhere = [...index].filter(([, o]) => declares(o, n)).map(([f]) => f);
        bad.push(`${where}: ${n} is not declared in ${r.file}${elsewhere.length ? ` (it is in ${elsewhere.join(', ')})` : ''}`);
      } else if (r.file === 'om/proto.ts' && /^(MIG|REM|DEP)_[A-Z_]+$/.test(n) && !msg_names.has(n)) {
        bad.push(`${where}: ${n} is not a message type (not in MSG_NAMES)`);
      }
    }
  }
  return bad;
}

const readme = readFileSync(join(ROOT, DOC), 'utf8');
const parsed = parse_twins(readme);
const index = index_sources();
const msg_names = new Set(Object.values(MSG_NAMES));

test('the Twins section is well formed: five cells a row, a name in each, nothing empty', () => {
  assert.equal(parsed.errors, []);
  assert.ok(parsed.rows.length > 0);
  for (const r of parsed.rows) assert.ok(existsSync(join(ROOT, r.file)), `${DOC}:${r.line}: ${r.file}`);
});

test('every name the Twins tables list is declared in the file they give', () => {
  assert.equal(check_twins(parsed.rows, index, msg_names), []);
});

test('a row is listed once (a name twice in one file is a copy slip)', () => {
  const seen = new Map<string, number>();
  const twice: string[] = [];
  for (const r of parsed.rows) {
    for (const n of r.names) {
      const k = `${r.file}:${n}`;
      if (seen.has(k)) twice.push(`${k} on lines ${seen.get(k)} and ${r.line}`);
      else seen.set(k, r.line);
    }
  }
  assert.equal(twice, []);
});

// The check itself, shown to fail. Its targets come from the table (the
// first listed function, method and message type), so renaming one of them
// for real needs no change here: rename it in a copy of its file's text and
// the check must name it.
const escape = (s: string) => s.replace(/[$]/g, '\\$&');
const first_with = (pick: (r: Row, n: string, text: string) => RegExp | null) => {
  for (const r of parsed.rows) {
    const text = readFileSync(join(ROOT, r.file), 'utf8');
    for (const n of r.names) {
      const re = pick(r, n, text);
      if (re && (text.match(new RegExp(re.source, 'gm')) ?? []).length === 1) return { row: r, name: n, text, re };
    }
  }
  throw new Error('no row fits the mutation');
};
const renamed = (t: { row: Row; text: string; re: RegExp }): Map<string, Decls> =>
  new Map([...index, [t.row.file, decls_of(t.row.file, t.text.replace(t.re, (m) => m.replace(/\($/, '_renamed(')))]]);
/** What a mutation adds to the failures the code has without it (none, unless a real rename is pending). */
const baseline = check_twins(parsed.rows, index, msg_names);
const added = (bad: string[]) => bad.filter((b) => !baseline.includes(b));

test('mutation: renaming the first listed function fails the check, naming it', () => {
  const t = first_with((_r, n) => (n.includes('.') ? null : new RegExp(`\\bfunction ${escape(n)}\\(`, 'm')));
  const bad = added(check_twins(parsed.rows, renamed(t), msg_names));
  assert.equal(bad, [`${DOC}:${t.row.line}: ${t.name} is not declared in ${t.row.file}`]);
});

test('mutation: renaming the first listed method fails the check, naming it', () => {
  const t = first_with((_r, n) => {
    const m = n.split('.')[1];
    return m ? new RegExp(`^\\s+(?:(?:private|public|static|readonly|async) )*${escape(m)}\\(`, 'm') : null;
  });
  const bad = added(check_twins(parsed.rows, renamed(t), msg_names));
  assert.equal(bad, [`${DOC}:${t.row.line}: ${t.name} is not declared in ${t.row.file}`]);
});

test('mutation: a message type dropped from MSG_NAMES, or a row pointing at the wrong file, fails the check', () => {
  const msg = parsed.rows.flatMap((r) => (r.file === 'om/proto.ts' ? r.names : [])).find((n) => msg_names.has(n));
  assert.ok(msg, 'the table lists a message type');
  const without = new Set(msg_names);
  without.delete(msg!);
  assert.equal(added(check_twins(parsed.rows, index, without)).filter((b) => b.includes(`${msg} is not a message type`)).length, 1);
  const row = parsed.rows[0]!;
  const other = parsed.rows.find((r) => !declares(index.get(r.file), row.names[0]!))!;
  const moved = check_twins([{ ...row, file: other.file }], index, msg_names);
  assert.ok(moved.some((b) => b.includes(`${row.names[0]} is not declared in ${other.file} (it is in ${row.file})`)), moved.join('\n'));
});

test('the parser refuses a row with a cell missing and a page without the section', () => {
  const broken = `${SECTION}\n\n| omemu | in | C twin | C file | departs |\n|---|---|---|---|---|\n| \`x\` | mm/fault.ts | \`x\` | mm/memory.c |\n`;
  assert.match(parse_twins(broken).errors.join('\n'), /4 cells, expected 5/);
  assert.match(parse_twins('# omemu\n').errors.join('\n'), /no "## Twins/);
});

test.run();
