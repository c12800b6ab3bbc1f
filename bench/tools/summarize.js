#!/usr/bin/env node
// Turn the per-run raw TSV written by bench/run into Markdown tables (stdout).
// Usage: node summarize.js RAW.tsv [SESSION]
// Rows are grouped by (task, tool, threads, input) in order of first appearance.  Per group:
//   wall = median of the runs' GNU time %e (min-max shown), cpu = median of user+sys, RSS = max of %M,
//   MB/s = input bytes / 10^6 / median wall, in-process = median of what the script itself reported.
// tok speed-up on a peer row = peer median wall / tok median wall for the same task, input and thread
//   count, measured in the same session (>1: tok is faster).  When the peer also reports an in-process
//   time (tokenization only, without start-up/model load), a second factor uses that median instead.
'use strict';
const fs = require('fs');
const [raw, session] = process.argv.slice(2);
const lines = fs.readFileSync(raw, 'utf8').split('\n').filter(Boolean);
const head = lines.shift().split('\t');
let rows = lines.map(l => Object.fromEntries(l.split('\t').map((v, i) => [head[i], v])));
if (session) rows = rows.filter(r => r.session === session);
const med = a => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const groups = new Map();
for (const r of rows) {
  const k = [r.task, r.tool, r.threads, r.input].join('\u0001');
  if (!groups.has(k)) groups.set(k, { task: r.task, tool: r.tool, threads: r.threads, input: r.input, bytes: Number(r.input_bytes), runs: [], status: [] });
  const g = groups.get(k);
  if (r.status === 'ok') g.runs.push(r); else g.status.push(r.status);
}
for (const g of groups.values()) {
  g.isTok = g.tool === 'tok' || g.tool.startsWith('tok ');
  g.n = g.runs.length;
  if (g.n) {
    const w = g.runs.map(r => Number(r.wall_s));
    g.wall = med(w); g.min = Math.min(...w); g.max = Math.max(...w);
    g.cpu = med(g.runs.map(r => Number(r.user_s) + Number(r.sys_s)));
    g.rss = Math.max(...g.runs.map(r => Number(r.maxrss_kib))) / 1024;
    const ip = g.runs.map(r => r.inproc_s).filter(v => v !== '' && v !== undefined).map(Number);
    g.inproc = ip.length ? med(ip) : null;
    const ld = g.runs.map(r => r.load1).filter(v => v !== '' && v !== undefined).map(Number);
    g.load = ld.length ? med(ld) : null;
  }
  // a group with some failed runs is reported as failed: its median would be biased
  g.bad = g.status.length ? g.status[0] : (g.n ? null : 'no runs');
}
function tokOf(g) {
  for (const h of groups.values()) if (h.isTok && h.task === g.task && h.threads === g.threads && h.input === g.input) return h;
  return null;
}
const mbs = g => (g.wall > 0 ? (g.bytes / 1e6 / g.wall).toFixed(2) : `>${(g.bytes / 1e6 / 0.005).toFixed(0)}`);
const f2 = x => (x >= 100 ? x.toFixed(1) : x.toFixed(2));
function speedup(g) {
  if (g.isTok) return '—';
  if (g.bad) return '';
  const t = tokOf(g);
  if (!t) return '';
  if (t.bad) return `tok ${t.bad.split(/[:(]/)[0].trim()}`;
  // GNU time %e has 2 decimals: a tok median of 0.00 s means < 0.005 s, so only a lower bound is known
  const tw = t.wall > 0 ? t.wall : 0.005, ge = t.wall > 0 ? '' : '>';
  let s = `${ge}${(g.wall / tw).toFixed(2)}×`;
  if (g.inproc != null) s += ` (${ge}${(g.inproc / tw).toFixed(2)}× vs in-process)`;
  return s;
}
function wallCell(g) {
  if (g.bad) return g.bad;
  return g.n > 1 ? `${f2(g.wall)} (${f2(g.min)}–${f2(g.max)})` : f2(g.wall);
}
const all = [...groups.values()];
const main = all.filter(g => !g.task.startsWith('adv-') && g.task !== 'train-memory');
const mem = all.filter(g => g.task === 'train-memory');
const adv = all.filter(g => g.task.startsWith('adv-'));
const out = [];
if (main.length) {
  out.push('| task | tool | threads | input | runs | wall s, median (min–max) | cpu s | peak RSS MiB | MB/s | in-process s | tok speed-up | load1 |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const g of main) {
    const ok = !g.bad;
    out.push(`| ${g.task} | ${g.tool} | ${g.threads} | ${g.input} | ${g.n} | ${wallCell(g)} | ${ok ? g.cpu.toFixed(2) : ''} | ${ok ? g.rss.toFixed(0) : ''} | ${ok ? mbs(g) : ''} | ${ok && g.inproc != null ? f2(g.inproc) : ''} | ${speedup(g)} | ${ok && g.load != null ? g.load.toFixed(1) : ''} |`);
  }
}
if (mem.length) {
  out.push('', '**Training memory growth** (peak RSS vs input size)', '');
  out.push('| tool | threads | input | MB | runs | wall s | peak RSS MiB | RSS MiB per input MB |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const g of mem) {
    const ok = !g.bad, mb = g.bytes / 1e6;
    out.push(`| ${g.tool} | ${g.threads} | ${g.input} | ${mb.toFixed(1)} | ${g.n} | ${wallCell(g)} | ${ok ? g.rss.toFixed(0) : ''} | ${ok ? (g.rss / mb).toFixed(2) : ''} |`);
  }
}
if (adv.length) {
  out.push('', '**Adversarial single-line inputs** (flat s/MB = linear time)', '');
  out.push('| task | tool | threads | input | MB | runs | wall s | s per MB | cpu s | cpu s per MB | peak RSS MiB | tok speed-up |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const g of adv) {
    const ok = !g.bad, mb = g.bytes / 1e6;
    out.push(`| ${g.task} | ${g.tool} | ${g.threads} | ${g.input} | ${mb.toFixed(1)} | ${g.n} | ${wallCell(g)} | ${ok ? (g.wall / mb).toFixed(3) : ''} | ${ok ? g.cpu.toFixed(2) : ''} | ${ok ? (g.cpu / mb).toFixed(3) : ''} | ${ok ? g.rss.toFixed(0) : ''} | ${speedup(g)} |`);
  }
}
console.log(out.join('\n'));
