// PNG copies of the SVG plots, rendered by resvg compiled to WebAssembly
// (no native binary) with the DejaVu Sans fonts from npm, so text renders
// the same on any machine. resvg loads on the first drawing (see plots.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type ResvgModule = typeof import('@resvg/resvg-wasm');
let ready: Promise<{ fontBuffers: Uint8Array[]; Resvg: ResvgModule['Resvg'] }> | null = null;

function init(): NonNullable<typeof ready> {
  ready ??= (async () => {
    const { initWasm, Resvg } = await import('@resvg/resvg-wasm');
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const dir = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf').replace(/DejaVuSans\.ttf$/, '');
    return { fontBuffers: ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => new Uint8Array(readFileSync(dir + f))), Resvg };
  })();
  return ready;
}

/** Render an SVG to PNG at twice its size. */
export async function svg_to_png(svg: string): Promise<Uint8Array> {
  const { fontBuffers, Resvg } = await init();
  const r = new Resvg(svg.replace(/font-family="[^"]*"/g, 'font-family="DejaVu Sans"'), {
    font: { fontBuffers, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  });
  return r.render().asPng();
}
