// Draws the extension's icon, media/icon.png (256×256), with sharp from an SVG written
// here: a photograph (the glance at the whole image), a box on one region of it (a gaze)
// and a lens (the search). `npm run icon` writes it; the unit tests check that the
// committed file is what this script draws.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const SIZE = 256;
export const ICON = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');

/** The photograph's frame, in icon pixels. */
const photo = { x: 30, y: 46, width: 172, height: 132, radius: 12 };

export function iconSvg() {
  const { x, y, width, height, radius } = photo;
  const frame = `x="${x}" y="${y}" width="${width}" height="${height}" rx="${radius}"`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <defs>
    <linearGradient id="background" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#24497a"/>
      <stop offset="1" stop-color="#14243d"/>
    </linearGradient>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#4f86cf"/>
      <stop offset="1" stop-color="#b7d2f2"/>
    </linearGradient>
    <clipPath id="photo"><rect ${frame}/></clipPath>
  </defs>
  <rect width="${SIZE}" height="${SIZE}" rx="52" fill="url(#background)"/>
  <g clip-path="url(#photo)">
    <rect ${frame} fill="url(#sky)"/>
    <circle cx="162" cy="82" r="15" fill="#ffe08a"/>
    <path d="M${x} ${y + height} L84 110 L118 146 L146 118 L${x + width} ${y + height} Z" fill="#2e6b45"/>
  </g>
  <rect ${frame} fill="none" stroke="#eef3fa" stroke-width="7"/>
  <rect x="62" y="86" width="60" height="54" rx="5" fill="none" stroke="#ffa630" stroke-width="8"/>
  <circle cx="178" cy="176" r="38" fill="#ffffff" fill-opacity="0.18" stroke="#ffffff" stroke-width="11"/>
  <line x1="206" y1="204" x2="230" y2="228" stroke="#ffffff" stroke-width="16" stroke-linecap="round"/>
</svg>`;
}

/** The icon as PNG bytes. */
export function renderIcon() {
  return sharp(Buffer.from(iconSvg())).png({ compressionLevel: 9 }).toBuffer();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(ICON, await renderIcon());
  console.log(`wrote ${path.relative(process.cwd(), ICON)}`);
}
