/**
 * How long a Prometheus scrape takes once 1,000 routes have each served traffic (issue 6: the scrape
 * stays fast with 1,000 routes): every route is called, then `GET /metrics` is timed repeatedly.
 */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { quantile } from '../support/quantile.js';

export const SCRAPE_ROUTES = 1000;
const SCRAPES = 20;
const CONCURRENCY = 20;

export interface ScrapeResult {
  medianMs: number;
  maxMs: number;
  bytes: number;
  series: number;
}

/** `proxyUrl` serves `/svc{i}/items` for i < SCRAPE_ROUTES (bench's manyRoutes) with a global prometheus plugin. */
export async function measureScrape(proxyUrl: string, adminUrl: string): Promise<ScrapeResult> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < SCRAPE_ROUTES) {
        const res = await request(`${proxyUrl}/svc${next++}/items`);
        await res.body.dump();
      }
    }),
  );
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    const res = await request(`${adminUrl}/metrics`);
    text = await res.body.text();
    times.push(performance.now() - started);
  }
  const series = text.split('\n').filter((line) => line.startsWith('gatehouse_http_requests_total{')).length;
  return { medianMs: quantile(times, 0.5), maxMs: quantile(times, 1), bytes: Buffer.byteLength(text), series };
}
