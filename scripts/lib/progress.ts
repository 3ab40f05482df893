/** Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise. */
const tty = process.stderr.isTTY;
let lastPrint = 0;
let lastStage = '';

export function progress(stage: string, done: number, total: number): void {
  const now = Date.now();
  const finished = done >= total;
  if (!finished && stage === lastStage && now - lastPrint < (tty ? 100 : 2000)) return;
  lastPrint = now;
  lastStage = stage;
  const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
  // The process's RSS beside each stage: a long build shows where its memory goes.
  const rss = `${Math.round(process.memoryUsage.rss() / 1024 / 1024)} MiB`;
  const line = `  ${stage.padEnd(10)} ${String(done).padStart(9)} / ${total} (${pct}%)  rss ${rss}`;
  if (tty) process.stderr.write(`\r${line}${finished ? '\n' : ''}`);
  else process.stderr.write(`${line}\n`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
