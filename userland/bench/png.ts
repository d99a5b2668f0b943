// PNG copies of the SVG plots, rendered by resvg compiled to WebAssembly
// (no native binary) with the DejaVu Sans fonts from npm, so text renders
// the same on any machine.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initWasm, Resvg } from '@resvg/resvg-wasm';

const require = createRequire(import.meta.url);
let ready: Promise<Uint8Array[]> | null = null;

function init(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const dir = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf').replace(/DejaVuSans\.ttf$/, '');
    return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => new Uint8Array(readFileSync(dir + f)));
  })();
  return ready;
}

/** Render an SVG to PNG at twice its size. */
export async function svg_to_png(svg: string): Promise<Uint8Array> {
  const fontBuffers = await init();
  const r = new Resvg(svg.replace(/font-family="[^"]*"/g, 'font-family="DejaVu Sans"'), {
    font: { fontBuffers, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  });
  return r.render().asPng();
}
