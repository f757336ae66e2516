// DCMTK as the modality and the workstation: dcmsend for C-STORE (it proposes each file's own transfer
// syntax), findscu for C-FIND. Both are separate processes, so each C-FIND time includes starting
// findscu and opening an association: the same for both systems.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';

export const CALLING_AE = 'YYBENCH';

export interface Peer {
  readonly host: string;
  readonly port: number;
  readonly aeTitle: string;
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface SendOutcome {
  readonly stored: number;
  readonly failed: number;
}

/** Parses dcmsend's report file ("* with status SUCCESS : 30"); warnings count as stored. */
export function parseDcmsendReport(report: string): SendOutcome {
  let stored = 0;
  let failed = 0;
  for (const match of report.matchAll(/\* with status (\w+)\s*: (\d+)/g)) {
    const n = Number(match[2]);
    if (match[1] === 'SUCCESS' || match[1] === 'WARNING') stored += n;
    else failed += n;
  }
  const sent = /Number of SOP instances\s*: (\d+)/.exec(report);
  const total = sent ? Number(sent[1]) : stored + failed;
  return { stored, failed: Math.max(failed, total - stored) };
}

/** One association (or more only when a file needs more than 128 presentation contexts). */
export async function dcmsend(peer: Peer, folders: readonly string[]): Promise<SendOutcome> {
  const reportFile = join(tmpdir(), `yy-bench-dcmsend-${randomBytes(6).toString('hex')}.txt`);
  try {
    const result = await run('dcmsend', [
      '-aet', CALLING_AE, '-aec', peer.aeTitle, peer.host, String(peer.port),
      '+sd', '+r', '-nh', '-to', '60', '+crf', reportFile, ...folders,
    ]);
    let report = '';
    try { report = readFileSync(reportFile, 'utf8'); } catch { report = ''; }
    if (!report) throw new Error(`dcmsend to ${peer.aeTitle} exited ${String(result.code)}: ${result.stderr.slice(-500)}`);
    return parseDcmsendReport(report);
  } finally {
    rmSync(reportFile, { force: true });
  }
}

/** Study-level C-FIND (Study Root); returns the number of matches. */
export async function findStudies(peer: Peer, keys: Readonly<Record<string, string>>): Promise<number> {
  const args = ['-S', '-v', '-aet', CALLING_AE, '-aec', peer.aeTitle, '-to', '30', '-ta', '30', '-td', '60', peer.host, String(peer.port),
    '-k', 'QueryRetrieveLevel=STUDY', '-k', 'SpecificCharacterSet=ISO_IR 192', '-k', 'StudyInstanceUID'];
  for (const [key, value] of Object.entries(keys)) args.push('-k', `${key}=${value}`);
  const result = await run('findscu', args);
  const output = result.stdout + result.stderr;
  if (result.code !== 0) throw new Error(`findscu to ${peer.aeTitle} exited ${String(result.code)}: ${output.slice(-500)}`);
  return [...output.matchAll(/Find Response: \d+ \(Pending\)/g)].length;
}

/** C-ECHO with echoscu: the cost of a DCMTK process and an association, included in every C-FIND time. */
export async function echo(peer: Peer): Promise<void> {
  const result = await run('echoscu', ['-aet', CALLING_AE, '-aec', peer.aeTitle, '-to', '30', '-ta', '30', '-td', '30', peer.host, String(peer.port)]);
  if (result.code !== 0) throw new Error(`echoscu to ${peer.aeTitle} exited ${String(result.code)}: ${result.stderr.slice(-300)}`);
}
