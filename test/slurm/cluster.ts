// A real single-node Slurm for the tests: Debian's munged, slurmctld and slurmd (installed by
// test/slurm/setup.sh), run directly from a temporary folder of their own with their own
// configuration, ports, state and logs, and stopped after. Recipe: proctrack/linuxproc,
// task/none, cgroup/v1 with every constraint off, no accounting. Runs as root (the daemons
// and the jobs are root's; munged runs as the munge user, as it insists). Every wait has a
// deadline, every command a time limit.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, within `timeoutMs` (killed past it), never throwing for its exit code. */
export function runCommand(file: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { env: o.env ?? process.env, cwd: o.cwd, timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() + (error && code === -1 ? `\n${error.message}` : '') });
    });
  });
}

/** Waits until `ready()` holds, checking every `everyMs`, at most `ms`; throws naming `what` past it. */
export async function waitFor(what: string, ready: () => Promise<boolean>, ms: number, everyMs = 250): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await ready()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function idOf(flag: '-u' | '-g', name: string): Promise<number> {
  const r = await runCommand('id', [flag, name]);
  if (r.code !== 0) throw new Error(`no ${name} user (is munge installed? bash test/slurm/setup.sh): ${r.stderr.trim()}`);
  return Number(r.stdout.trim());
}

export class SlurmCluster {
  private constructor(
    /** The cluster's folder: configuration, state, logs. */
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Runs a Slurm command (sbatch, squeue, scontrol…) against this cluster. */
  run(command: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
    return runCommand(command, args, { ...o, env: { ...this.env, ...o.env } });
  }

  /** A daemon's log, for failure messages. */
  async log(name: 'slurmctld' | 'slurmd'): Promise<string> {
    return fs.readFile(path.join(this.dir, 'log', `${name}.log`), 'utf8').catch(() => '');
  }

  static async start(): Promise<SlurmCluster> {
    if (process.getuid?.() !== 0) throw new Error('the Slurm tests run their own slurmctld, slurmd and munged, as root: run them as root (CI does)');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gog-slurm-'));
    const d = (...p: string[]) => path.join(dir, ...p);
    // munged needs its key private to it and its socket's folder open to all (else "Socket is inaccessible").
    await fs.chmod(dir, 0o755);
    for (const sub of ['munge', 'munge-sock', 'state', 'spool', 'run', 'log']) await fs.mkdir(d(sub));
    await fs.chmod(d('munge'), 0o700);
    await fs.writeFile(d('munge', 'munge.key'), randomBytes(1024), { mode: 0o400 });
    const [uid, gid] = [await idOf('-u', 'munge'), await idOf('-g', 'munge')];
    for (const p of [d('munge'), d('munge', 'munge.key'), d('munge-sock')]) await fs.chown(p, uid, gid);
    await fs.chmod(d('munge-sock'), 0o755);
    const cluster = new SlurmCluster(dir, { ...process.env, SLURM_CONF: d('slurm.conf') });
    try {
      const munged = await runCommand('runuser', [
        '-u',
        'munge',
        '--',
        '/usr/sbin/munged',
        `--key-file=${d('munge', 'munge.key')}`,
        `--socket=${d('munge-sock', 'munge.socket')}`,
        `--pid-file=${d('munge-sock', 'munged.pid')}`,
        `--log-file=${d('munge', 'munged.log')}`,
        `--seed-file=${d('munge', 'seed')}`,
        '--num-threads=4',
      ]);
      if (munged.code !== 0) throw new Error(`munged did not start: ${munged.stderr.trim()}`);
      await waitFor('the munge socket', async () => existsSync(d('munge-sock', 'munge.socket')), 10_000);

      const host = os.hostname().split('.')[0]!;
      const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
      // CPUs: more than the machine has (config_overrides takes the configuration's word), so the
      // tasks of an array run at once, as on a cluster; they wait on the model, not on the CPU.
      const conf = [
        'ClusterName=gogtest',
        `SlurmctldHost=${host}`,
        'SlurmUser=root',
        'SlurmdUser=root',
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        'AuthType=auth/munge',
        `AuthInfo=socket=${d('munge-sock', 'munge.socket')}`,
        'CredType=cred/munge',
        `StateSaveLocation=${d('state')}`,
        `SlurmdSpoolDir=${d('spool')}`,
        `SlurmctldPidFile=${d('run', 'slurmctld.pid')}`,
        `SlurmdPidFile=${d('run', 'slurmd.pid')}`,
        `SlurmctldLogFile=${d('log', 'slurmctld.log')}`,
        `SlurmdLogFile=${d('log', 'slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'SlurmdParameters=config_overrides',
        'MpiDefault=none',
        'ReturnToService=2',
        // A requeued or cancelled task has this long to stop after SIGTERM before SIGKILL.
        'KillWait=15',
        `NodeName=${host} CPUs=16 RealMemory=64000 State=UNKNOWN`,
        `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES`,
      ];
      await fs.writeFile(d('slurm.conf'), conf.join('\n') + '\n');
      await fs.writeFile(d('cgroup.conf'), 'CgroupPlugin=cgroup/v1\nConstrainCores=no\nConstrainRAMSpace=no\nConstrainDevices=no\n');
      for (const [daemon, args] of [
        ['slurmctld', ['-c']],
        ['slurmd', []],
      ] as const) {
        const r = await cluster.run(daemon, [...args]);
        if (r.code !== 0) throw new Error(`${daemon} did not start: ${r.stderr.trim()} ${await cluster.log(daemon)}`);
      }
      await waitFor('the node to be idle', async () => (await cluster.run('sinfo', ['-h', '-o', '%T'])).stdout.trim() === 'idle', 30_000, 500).catch(
        async (e: unknown) => {
          throw new Error(`${(e as Error).message}; slurmd: ${(await cluster.log('slurmd')).slice(-2000)}`);
        },
      );
      return cluster;
    } catch (e) {
      await cluster.stop();
      throw e;
    }
  }

  /** Cancels every job, stops the daemons (SIGTERM, then SIGKILL past a deadline) and removes the folder. */
  async stop(): Promise<void> {
    const d = (...p: string[]) => path.join(this.dir, ...p);
    if (existsSync(d('run', 'slurmctld.pid'))) {
      await this.run('scancel', ['--full', '--user', 'root'], { timeoutMs: 10_000 });
      await waitFor('the jobs to end', async () => (await this.run('squeue', ['-h'], { timeoutMs: 10_000 })).stdout.trim() === '', 30_000, 500).catch(
        () => undefined,
      );
    }
    for (const pidFile of [d('run', 'slurmd.pid'), d('run', 'slurmctld.pid'), d('munge-sock', 'munged.pid')]) {
      const pid = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (!pid) continue;
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (!alive()) continue;
      process.kill(pid, 'SIGTERM');
      await waitFor(`process ${pid} to stop`, async () => !alive(), 10_000, 100).catch(() => process.kill(pid, 'SIGKILL'));
    }
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
