import { h } from '../dom.js';

/**
 * A chart as one standalone SVG: Plot's pieces (plot, legends, risk table) placed in an outer <svg>, so
 * what is on screen is exactly what SVG and PNG export write.
 */

const svgNs = 'http://www.w3.org/2000/svg';

export function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export interface Placed {
  element: SVGSVGElement;
  x: number;
  y: number;
}

/** Size of an SVG Plot made (its width/height attributes). */
export function sizeOf(svg: SVGSVGElement): { width: number; height: number } {
  return { width: Number(svg.getAttribute('width')) || 0, height: Number(svg.getAttribute('height')) || 0 };
}

/** One SVG of the given size holding `parts` at their positions, on a white background. */
export function composeFigure(width: number, height: number, parts: readonly Placed[], title: string) {
  const figure = svgElement('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    'font-family': 'system-ui, sans-serif',
    'font-size': 10,
    role: 'img',
    class: 'figure',
  });
  figure.append(svgElement('title', {}, title), svgElement('rect', { width, height, fill: 'white' }));
  for (const { element, x, y } of parts) {
    const size = sizeOf(element);
    element.setAttribute('x', String(x));
    element.setAttribute('y', String(y));
    // Plot's stylesheet sets `height: auto`, which on a nested <svg> means 100% of the figure.
    element.setAttribute(
      'style',
      `width:${size.width}px;height:${size.height}px;max-width:none;overflow:visible`,
    );
    figure.append(element);
  }
  return figure;
}

/** A row of coloured swatches with labels (categorical legend); `swatch` draws one swatch. */
export function swatchLegend(
  items: readonly { label: string; swatch: (x: number, y: number) => SVGElement }[],
  width: number,
): SVGSVGElement {
  const rowHeight = 18;
  const charWidth = 6.2;
  let x = 0;
  let y = 0;
  const placed: SVGElement[] = [];
  for (const item of items) {
    const itemWidth = 22 + item.label.length * charWidth + 14;
    if (x > 0 && x + itemWidth > width) {
      x = 0;
      y += rowHeight;
    }
    placed.push(
      item.swatch(x, y + 3),
      svgElement('text', { x: x + 20, y: y + 12, 'font-size': 11, fill: '#111827' }, item.label),
    );
    x += itemWidth;
  }
  const height = y + rowHeight + 4;
  const legend = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'legend' });
  legend.append(...placed);
  return legend;
}

export function serializeSvg(svg: SVGSVGElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`;
}

/** PNG of the SVG at `scale`× (2: print resolution), drawn on a canvas from the SVG as an image. */
export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = sizeOf(svg);
  const url = URL.createObjectURL(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "SVG" and "PNG" buttons that save the chart's current figure as `<name>.svg` / `<name>.png`. */
export function exportButtons(figure: () => SVGSVGElement | null, name: () => string, testId: string) {
  const button = (label: string, format: 'svg' | 'png') =>
    h(
      'button',
      {
        type: 'button',
        class: 'button secondary small',
        'data-testid': `${testId}-export-${format}`,
        title: `Save the chart as ${label}`,
        onclick: () => {
          const svg = figure();
          if (!svg) return;
          if (format === 'svg')
            download(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }), `${name()}.svg`);
          else
            void svgToPng(svg).then(
              (png) => download(png, `${name()}.png`),
              (error: Error) => alert(`PNG export failed: ${error.message}`),
            );
        },
      },
      label,
    );
  return h('span', { class: 'export' }, button('SVG', 'svg'), button('PNG', 'png'));
}

/** A spinner with text, shown while a request is in flight. */
export function loadingIndicator(text: string, testId: string) {
  return h(
    'div',
    { class: 'loading', role: 'status', 'aria-live': 'polite', 'data-testid': testId },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    text,
  );
}
