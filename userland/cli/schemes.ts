// --scheme for every command that takes one: a comma list of schemes, where
// 'all' stands for every scheme and 'paper' for the paper's three.
import { PAPER_POLICIES, POLICIES, type Policy } from '../../om/state.ts';
import { UsageError } from './usage.ts';

/** What --help says --scheme takes. */
export const SCHEME_HELP = `page-transfer schemes, a comma list: ${POLICIES.join(', ')}; all (every one) or paper (the paper's three)`;

/** --scheme: a comma list of schemes, 'all' or 'paper' among them; each scheme once, in the order given. */
export function parse_schemes(v: string): Policy[] {
  const items = v.split(',').map((s) => s.trim());
  const out: Policy[] = [];
  for (const item of items) {
    const xs = item === 'all' ? POLICIES : item === 'paper' ? PAPER_POLICIES : POLICIES.includes(item as Policy) ? [item as Policy] : null;
    if (!xs) throw new UsageError(`--scheme must be a comma list of ${POLICIES.join(', ')}, all or paper, got '${item === '' ? v : item}'`);
    for (const x of xs) if (!out.includes(x)) out.push(x);
  }
  return out;
}
