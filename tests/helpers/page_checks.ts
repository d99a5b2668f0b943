// What bench-out/index.html must be, checked two ways: here on its parsed
// DOM (linkedom, in `make test`), and in a real Chromium by `make
// test-browser` (tests/browser/check_page.ts), which also sees what only a
// browser can (images decoded, console errors).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';

/** The problems of the page in `dir` as a DOM parser sees them: every figure's image a non-empty SVG beside the page, every table with rows, every local link there. */
export function page_problems(dir: string): string[] {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const { document } = parseHTML(html);
  const bad: string[] = [];
  const imgs = [...document.querySelectorAll('img')];
  if (imgs.length === 0) bad.push('no image');
  for (const img of imgs) {
    const src = img.getAttribute('src') ?? '';
    const p = join(dir, src);
    if (!src || /^[a-z]+:/.test(src)) bad.push(`image ${src}: not a file beside the page`);
    else if (!existsSync(p) || statSync(p).size === 0) bad.push(`image ${src}: missing or empty`);
    else if (src.endsWith('.svg') && !/<svg[\s>]/.test(readFileSync(p, 'utf8').slice(0, 500))) bad.push(`image ${src}: not an SVG`);
    if (!img.getAttribute('alt')) bad.push(`image ${src}: no alt text`);
  }
  const tables = [...document.querySelectorAll('table')];
  if (tables.length === 0) bad.push('no table');
  tables.forEach((t, i) => {
    if (t.querySelectorAll('tbody tr').length === 0) bad.push(`table ${i + 1} (after "${t.previousElementSibling?.textContent?.slice(0, 60) ?? ''}") has no rows`);
  });
  for (const a of [...document.querySelectorAll('a[href]')]) {
    const href = a.getAttribute('href')!;
    if (href.startsWith('#')) {
      if (!document.getElementById(href.slice(1))) bad.push(`link ${href}: no such anchor`);
    } else if (/^[a-z]+:/.test(href)) bad.push(`link ${href}: leaves the page's folder (it must read offline)`);
    else if (href.startsWith('../')) continue; // the repository's docs, beside bench-out/
    else if (!existsSync(join(dir, href))) bad.push(`link ${href}: missing`);
  }
  for (const el of [...document.querySelectorAll('link[href], script[src]')]) bad.push(`${el.tagName.toLowerCase()}: loads ${el.getAttribute('href') ?? el.getAttribute('src')} (the page must read offline)`);
  return bad;
}
