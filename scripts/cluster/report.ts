// Pass/fail per check, measurements printed as they come, and one summary at the end.

export interface CheckResult {
  section: string;
  name: string;
  ok: boolean;
  detail: string;
}

export class Report {
  readonly results: CheckResult[] = [];
  private section = '';

  constructor(private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  heading(title: string) {
    this.section = title;
    this.print(`\n━━━ ${title} ━━━`);
  }

  note(line: string) {
    this.print(`    ${line}`);
  }

  /** Runs one check: it passes unless it throws; what it returns is printed beside it. */
  async check(name: string, body: () => Promise<string | undefined>): Promise<boolean> {
    const started = Date.now();
    try {
      const detail = (await body()) ?? '';
      this.record(name, true, detail, started);
      return true;
    } catch (error) {
      this.record(name, false, error instanceof Error ? error.message : String(error), started);
      return false;
    }
  }

  record(name: string, ok: boolean, detail: string, started = Date.now()) {
    this.results.push({ section: this.section, name, ok, detail });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    this.print(
      `${ok ? '✓' : '✗'} ${name} (${seconds} s)${detail ? `\n    ${detail.split('\n').join('\n    ')}` : ''}`,
    );
  }

  get failed(): CheckResult[] {
    return this.results.filter((r) => !r.ok);
  }

  summary(): string {
    const lines = ['', '━━━ summary ━━━'];
    for (const r of this.results) lines.push(`${r.ok ? '✓' : '✗'} [${r.section}] ${r.name}`);
    const passed = this.results.length - this.failed.length;
    lines.push(`${passed} passed, ${this.failed.length} failed`);
    return lines.join('\n');
  }
}
