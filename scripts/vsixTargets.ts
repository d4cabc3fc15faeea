// The VS Code targets a VSIX is built for, and how npm is told to install each one's native
// packages (sharp/libvips, jieba) on a machine of another platform: `--os`, `--cpu`, `--libc`.
export const VSIX_TARGETS = ['linux-x64', 'linux-arm64', 'alpine-x64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'] as const;
export type VsixTarget = (typeof VSIX_TARGETS)[number];

export interface NpmPlatform {
  os: 'linux' | 'darwin' | 'win32';
  cpu: 'x64' | 'arm64';
  /** Only Linux has a choice of C library: Alpine's is musl. */
  libc?: 'glibc' | 'musl';
}

export function npmPlatform(target: VsixTarget): NpmPlatform {
  switch (target) {
    case 'linux-x64':
      return { os: 'linux', cpu: 'x64', libc: 'glibc' };
    case 'linux-arm64':
      return { os: 'linux', cpu: 'arm64', libc: 'glibc' };
    case 'alpine-x64':
      return { os: 'linux', cpu: 'x64', libc: 'musl' };
    case 'darwin-x64':
      return { os: 'darwin', cpu: 'x64' };
    case 'darwin-arm64':
      return { os: 'darwin', cpu: 'arm64' };
    case 'win32-x64':
      return { os: 'win32', cpu: 'x64' };
    case 'win32-arm64':
      return { os: 'win32', cpu: 'arm64' };
    default: {
      const never: never = target;
      throw new Error(`no npm platform for ${String(never)}`);
    }
  }
}

export function vsixName(target: VsixTarget): string {
  return `gog-studio-${target}.vsix`;
}

export function isVsixTarget(name: string): name is VsixTarget {
  return (VSIX_TARGETS as readonly string[]).includes(name);
}
