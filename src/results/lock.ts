/**
 * One writer per results folder: an exclusive lock file (`.lock`, created with O_EXCL) held for the run's
 * life. It records the holder's pid, host and start time. A lock whose process is gone (same host, pid
 * not alive) is stale and taken over; a live holder — or one on another host, which cannot be checked —
 * is refused with a message naming it.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../errors.js';

export const LOCK_FILE = '.lock';

interface LockInfo { pid: number; host: string; startedAt: string; command: string }

/** Whether a process of this host is alive (signal 0 probes without touching it). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return null;
    return { pid: v.pid, host: v.host, startedAt: String(v.startedAt ?? ''), command: String(v.command ?? '') };
  } catch {
    return null; // unreadable or half-written: treated as stale below only if its writer is gone
  }
}

export class FolderLock {
  private released = false;
  private constructor(readonly path: string) {}

  /** Take the folder's lock or refuse (UserInputError naming the holder). */
  static acquire(dir: string): FolderLock {
    const path = join(dir, LOCK_FILE);
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, JSON.stringify(info) + '\n');
        } finally {
          closeSync(fd);
        }
        return new FolderLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = readLock(path);
      if (held && held.pid === process.pid && held.host === info.host) {
        throw new UserInputError(`results folder '${dir}' is already being written by this process`, 'out');
      }
      if (held && held.host !== info.host) {
        throw new UserInputError(`results folder '${dir}' is locked by process ${held.pid} on host ${held.host} (since ${held.startedAt}); if that run is gone, delete ${path} and run again`, 'out');
      }
      if (held && processAlive(held.pid)) {
        throw new UserInputError(`results folder '${dir}' is being written by a live process (pid ${held.pid}, since ${held.startedAt}: ${held.command}); wait for it, or choose another folder`, 'out');
      }
      // stale: its process is gone (killed); take it over
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    throw new UserInputError(`results folder '${dir}': could not take its lock (another process keeps taking it)`, 'out');
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      const held = readLock(this.path);
      if (held && held.pid === process.pid) unlinkSync(this.path);
    } catch {
      // a lock that cannot be removed is stale once this process exits
    }
  }
}
