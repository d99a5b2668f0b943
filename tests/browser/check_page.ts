// make test-browser: bench-out/index.html (or the page in the folder given)
// opened in Debian's Chromium, driven by playwright-core: every image loads
// and has a non-zero size, every table has rows, nothing logs an error to
// the console and no request fails. The same page's DOM checks run too.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { page_problems } from '../helpers/page_checks.ts';

const dir = resolve(process.argv[2] ?? 'bench-out');
const exe = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(`${dir}/index.html`)) {
  console.error(`test-browser: no ${dir}/index.html (make bench or make bench-quick writes it)`);
  process.exit(2);
}
const bad = page_problems(dir);
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') bad.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => bad.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => bad.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? ''})`));
  await page.goto(pathToFileURL(`${dir}/index.html`).href, { waitUntil: 'load' });
  // Run in the page (as text: this file is type-checked without the DOM's types).
  const seen = (await page.evaluate(`({
    images: [...document.images].map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 && i.naturalHeight > 0, w: i.naturalWidth, h: i.naturalHeight, shown: i.getBoundingClientRect().width })),
    tables: [...document.querySelectorAll('table')].map((t) => t.querySelectorAll('tbody tr').length),
  })`)) as { images: { src: string; ok: boolean; w: number; h: number; shown: number }[]; tables: number[] };
  for (const i of seen.images) {
    if (!i.ok) bad.push(`image ${i.src} did not load (${i.w} x ${i.h})`);
    else if (i.shown <= 0) bad.push(`image ${i.src} is not shown`);
  }
  seen.tables.forEach((n, k) => n === 0 && bad.push(`table ${k + 1} has no rows`));
  console.log(`test-browser: ${dir}/index.html in ${exe}: ${seen.images.length} images (${seen.images.filter((i) => i.ok).length} loaded), ${seen.tables.length} tables (${seen.tables.filter((n) => n > 0).length} with rows), ${bad.length} problems`);
} finally {
  await browser.close();
}
for (const b of bad) console.error(`test-browser: ${b}`);
process.exit(bad.length === 0 ? 0 : 1);
