// docs/cli.md, written from the commander definitions the omemu command
// parses its arguments with (userland/cli/program.ts): every command, its
// arguments and every option with its default, so the page cannot drift
// from the command. `make docs` writes it; the docs test compares.
import type { Command, Option } from 'commander';
import { AFTER, build_program } from '../cli/program.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function default_of(o: Option): string {
  if (o.defaultValue === undefined || o.defaultValue === false) return '';
  return `\`${o.defaultValueDescription ?? JSON.stringify(o.defaultValue)}\``;
}

function section(cmd: Command, path: string[]): string[] {
  const name = [...path, cmd.name()].join(' ');
  const L = [`## ${name}`, ''];
  if (cmd.aliases().length) L.push(`Also \`${[...path, ...cmd.aliases()].join(' ')}\`.`, '');
  L.push(cmd.description().replace(/^./, (c) => c.toUpperCase()) + '.', '', '```', `${name} ${cmd.usage()}`, '```', '');
  const args = cmd.registeredArguments;
  if (args.length) {
    L.push('| argument | what it is |', '|---|---|');
    for (const a of args) L.push(`| \`${a.name()}${a.variadic ? '...' : ''}\`${a.required ? '' : ' (optional)'} | ${cell(a.description)} |`);
    L.push('');
  }
  const opts = cmd.options.filter((o) => !o.hidden);
  if (opts.length) {
    L.push('| option | what it does | default |', '|---|---|---|');
    for (const o of opts) L.push(`| \`${cell(o.flags)}\`${o.mandatory ? ' (required)' : ''} | ${cell(o.description)} | ${default_of(o)} |`);
    L.push('');
  }
  return [...L, ...cmd.commands.flatMap((c) => section(c, [...path, cmd.name()]))];
}

/** The whole page. */
export function cli_md(): string {
  const program = build_program();
  const L = [
    '# The command line',
    '',
    'After reading this page you can call any omemu command with any of its options, knowing its default and what its exit status means.',
    '',
    '<!-- Written by `make docs` from the commander definitions (userland/cli/program.ts and each userland/cli/cmd_*.ts): edit those, not this file. -->',
    '',
    'Run it as `npx omemu COMMAND [options]` after `npm ci` (or `node userland/cli/omemu.js`), which rebuilds `dist/` first when a source is newer. ' +
      '`omemu --help` and `omemu COMMAND --help` print the same as this page. What `--json` prints is in [output.md](output.md).',
    '',
    'Commands: ' + program.commands.map((c) => `[${c.name()}](#omemu-${c.name()})`).join(', ') + '.',
    '',
    '## Exit status and debugging, for every command',
    '',
    '```',
    AFTER.trim(),
    '```',
    '',
    '## omemu',
    '',
    '| option | what it does |',
    '|---|---|',
    ...program.options.map((o) => `| \`${cell(o.flags)}\` | ${cell(o.description)} |`),
    '| `-h, --help` | print the help of omemu or of a command |',
    '',
    ...program.commands.flatMap((c) => section(c, ['omemu'])),
  ];
  return L.join('\n').replace(/\n+$/, '') + '\n';
}
