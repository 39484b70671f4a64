/**
 * Counters and histograms whose series are plain numbers on the hot path, rendered only at scrape
 * time. prom-client re-validates and re-hashes the labels on every increment, even through a
 * label-bound child; here a request does a few additions on a series object looked up once per
 * route. A scrape renders the text directly from label strings escaped once per series (prom-client's
 * formatter took 200 ms for 1,000 routes, on the proxy's event loop); across workers the primary
 * gathers them through prom-client's `get()`.
 */
import type { Metric } from 'prom-client';

type Labels = Record<string, string>;

/** What fast metrics register with: prom-client's Registry has the same two methods. */
interface MetricList {
  registerMetric(metric: Metric): void;
  getMetricsAsArray(): object[];
}

/** The fast metrics of one process, without prom-client: it is loaded only where they are gathered across workers. */
export class FastMetricList implements MetricList {
  private readonly metrics: Metric[] = [];
  registerMetric(metric: Metric): void {
    this.metrics.push(metric);
  }
  getMetricsAsArray(): Metric[] {
    return this.metrics;
  }
}

/** Prometheus text-format escaping of a label value. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `a="1",b="2"`: a series' labels as they stand inside braces, made once per series. */
function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');
}

interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

interface Entry<Series> {
  labels: Labels;
  labelText: string;
  series: Series;
}

abstract class FastMetric<Series> {
  private readonly byKey = new Map<string, Entry<Series>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: MetricList,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  abstract readonly type: string;
  readonly aggregator = 'sum';

  /** The series for these label values (in labelNames order); look it up once and keep it. */
  series(...values: string[]): Series {
    const key = values.join('\u0000');
    let entry = this.byKey.get(key);
    if (!entry) {
      const labels: Labels = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      entry = { labels, labelText: labelText(labels), series: this.create() };
      this.byKey.set(key, entry);
    }
    return entry.series;
  }

  protected abstract create(): Series;
  protected abstract render(labels: Labels, series: Series, out: MetricValue[]): void;
  /** Appends the series' sample lines in the Prometheus text format. */
  protected abstract renderText(labelText: string, series: Series, out: string[]): void;

  /** This metric in the Prometheus text format (0.0.4), HELP and TYPE lines first. */
  text(): string {
    const out = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${this.name} ${this.type}\n`];
    for (const entry of this.byKey.values()) this.renderText(entry.labelText, entry.series, out);
    return out.join('');
  }

  /** prom-client's metric interface: what the registry formats and the cluster aggregator sums. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const { labels, series } of this.byKey.values()) this.render(labels, series, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class CounterSeries {
  value = 0;
  inc(amount = 1): void {
    this.value += amount;
  }
}

export class FastCounter extends FastMetric<CounterSeries> {
  readonly type = 'counter';
  protected create(): CounterSeries {
    return new CounterSeries();
  }
  protected render(labels: Labels, series: CounterSeries, out: MetricValue[]): void {
    out.push({ value: series.value, labels });
  }
  protected renderText(labelText: string, series: CounterSeries, out: string[]): void {
    out.push(`${this.name}{${labelText}} ${series.value}\n`);
  }
}

export class HistogramSeries {
  /** Non-cumulative counts per bucket; the last one is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class FastHistogram extends FastMetric<HistogramSeries> {
  readonly type = 'histogram';

  /** `le="…",` for each bound, then `le="+Inf",`: the start of each bucket line's labels. */
  private readonly bucketLabels: string[];

  constructor(name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[], registry: MetricList) {
    super(name, help, labelNames, registry);
    this.bucketLabels = [...bounds.map((bound) => `le="${bound}",`), 'le="+Inf",'];
  }

  protected create(): HistogramSeries {
    return new HistogramSeries(this.bounds);
  }

  protected render(labels: Labels, series: HistogramSeries, out: MetricValue[]): void {
    let cumulative = 0;
    const bucket = `${this.name}_bucket`;
    this.bounds.forEach((bound, i) => {
      cumulative += series.counts[i]!;
      out.push({ value: cumulative, labels: { le: String(bound), ...labels }, metricName: bucket });
    });
    out.push({ value: series.count, labels: { le: '+Inf', ...labels }, metricName: bucket });
    out.push({ value: series.sum, labels, metricName: `${this.name}_sum` });
    out.push({ value: series.count, labels, metricName: `${this.name}_count` });
  }

  protected renderText(labelText: string, series: HistogramSeries, out: string[]): void {
    const name = this.name;
    let cumulative = 0;
    let lines = '';
    for (let i = 0; i < this.bucketLabels.length; i++) {
      cumulative += series.counts[i]!;
      lines += `${name}_bucket{${this.bucketLabels[i]}${labelText}} ${cumulative}\n`;
    }
    out.push(`${lines}${name}_sum{${labelText}} ${series.sum}\n${name}_count{${labelText}} ${series.count}\n`);
  }
}

/** Every fast metric registered in `registry`, in the Prometheus text format. */
export function fastMetricsText(registry: MetricList): string {
  return registry
    .getMetricsAsArray()
    .map((metric) => (metric as unknown as FastMetric<unknown>).text())
    .join('');
}
