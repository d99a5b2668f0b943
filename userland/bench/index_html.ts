// bench-out/index.html: one page to look at, offline: every figure of the
// bench with its caption (captions.ts) and links to its PNG, CSV and
// vega-lite spec, then REPORT.md rendered (its tables as HTML tables, by
// marked). Nothing is loaded from outside bench-out/: the styles are
// inline and the figures are the SVG files beside the page.
import { marked } from 'marked';
import { CAPTIONS } from './captions.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2em auto; max-width: 1500px; padding: 0 1em; color: #222; line-height: 1.45; }
nav a { margin-right: 1em; }
figure { margin: 2em 0; border-top: 1px solid #ddd; padding-top: 1em; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { max-width: 70em; margin-top: 0.5em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f3f3f3; }
code { background: #f5f5f5; padding: 0 0.2em; }
`;

/** The page, for the figures written (names without extension, in order) and the report's markdown. */
export function index_html(figures: string[], report: string): string {
  const nav = [...figures.map((f) => `<a href="#${f}">${esc(CAPTIONS[f]?.title ?? f)}</a>`), '<a href="#report">REPORT</a>'].join('\n');
  const figs = figures.map((f) => {
    const c = CAPTIONS[f] ?? { title: f, text: '' };
    const links = [`<a href="${f}.png">PNG</a>`, `<a href="${f}.csv">CSV</a>`, `<a href="${f}.vl.json">vega-lite spec</a>`].join(' · ');
    return [
      `<figure id="${f}">`,
      `<h2>${esc(c.title)}</h2>`,
      `<img src="${f}.svg" alt="${esc(c.title)}">`,
      `<figcaption>${esc(c.text)} (${links})</figcaption>`,
      '</figure>',
    ].join('\n');
  });
  const body = marked.parse(report, { async: false, gfm: true });
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<title>omemu: make bench</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<h1>omemu: the paper against the emulation</h1>',
    '<p>Every figure of <code>make bench</code>, then its report (<a href="REPORT.md">REPORT.md</a>, <a href="results.json">results.json</a>).</p>',
    `<nav>\n${nav}\n</nav>`,
    ...figs,
    '<section id="report">',
    body,
    '</section>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
