// The HTML report in a real browser (Debian's chromium driven by playwright-core): every figure's
// chart renders (SVG with drawn series paths of non-zero size), without console errors and
// without loading anything but the file itself (it must open offline). Skipped, with a message,
// only on a developer machine without a browser (browser.ts: UNIMEM_CHROMIUM, else the usual
// paths); in CI (CI set) it always runs.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findBrowser } from './browser.js';
import { runCli, tempDir } from './helpers.js';

const found = findBrowser();
const CHROMIUM = found.path ?? '/usr/bin/chromium';
const skip = found.path === undefined && !process.env.CI;
if (skip) console.warn(`report.test.ts skipped: ${found.why}; CI never skips`);

describe('the browser of the report test', () => {
  const dir = tempDir();
  const fake = join(dir, 'my-chrome');
  writeFileSync(fake, '');

  it('comes from UNIMEM_CHROMIUM or CHROME_PATH when set', () => {
    expect(findBrowser({ UNIMEM_CHROMIUM: fake })).toEqual({
      path: fake,
      why: `UNIMEM_CHROMIUM=${fake}`,
    });
    expect(findBrowser({ CHROME_PATH: fake }).path).toBe(fake);
  });

  it('is missing, saying so, when the variable names no file', () => {
    const missing = findBrowser({ UNIMEM_CHROMIUM: join(dir, 'none') });
    expect(missing.path).toBeUndefined();
    expect(missing.why).toMatch(/UNIMEM_CHROMIUM=.*none does not exist/);
  });
});

describe.skipIf(skip)('report.html in headless Chromium', () => {
  it('renders one chart per figure with visible series and no console errors', async () => {
    const out = join(tempDir(), 'report');
    // Two systems: llfree (positive values) and reference (0 cycles: the harness check).
    const run = await runCli([
      'bench',
      '--systems',
      'llfree,reference',
      '--cores',
      '1,2,4,8,16',
      '--scale',
      '0.02',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(join(out, 'report.html')).href;
      await page.goto(url, { waitUntil: 'load' });

      const charts = await page.$$eval('figure svg.chart', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const series = [...svg.querySelectorAll('path.series')].map((path) => {
            const b = (
              path as unknown as { getBBox(): { width: number; height: number } }
            ).getBBox();
            return { name: path.getAttribute('data-series'), width: b.width, height: b.height };
          });
          return {
            title: svg.querySelector('title')?.textContent,
            width: box.width,
            height: box.height,
            series,
            legend: [...svg.querySelectorAll('text.legend')].map((text) => text.textContent),
            markers: svg.querySelectorAll('circle').length,
            axisText: svg.querySelectorAll('text').length,
          };
        }),
      );
      // frames.bulk alloc + free, frames.repeat pair, frames.rand free.
      expect(charts.map((c) => c.title)).toEqual([
        'frames.bulk: alloc, order 0',
        'frames.bulk: free, order 0',
        'frames.repeat: pair, order 0',
        'frames.rand: free, order 0',
      ]);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(200);
        expect(chart.height).toBeGreaterThan(100);
        expect(chart.legend).toEqual(['llfree', 'reference']);
        // llfree's line spans 5 core counts. reference (0 cycles) is a flat line on a linear
        // axis and is left out of a log axis (the caption says so).
        const llfree = chart.series.find((s) => s.name === 'llfree');
        expect(llfree?.width).toBeGreaterThan(50);
        expect(chart.axisText).toBeGreaterThan(8);
        expect(chart.markers).toBeGreaterThanOrEqual(5);
      }
      const tables = await page.$$eval('table.summary', (tables) => tables.length);
      expect(tables).toBe(4);
      expect(problems).toEqual([]);
      expect(requests.filter((r) => r !== url)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
