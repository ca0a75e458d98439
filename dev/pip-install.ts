import { spawnSync } from 'node:child_process'

/**
 * Installs a PyPI package into `target` (never globally), with the first of
 * `python3` / `python` that runs. Returns whether pip succeeded.
 */
export function pipInstall(requirement: string, target: string): boolean {
  for (const python of ['python3', 'python']) {
    const result = spawnSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--root-user-action=ignore',
        '--target',
        target,
        requirement,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    )
    if (result.error) continue
    return result.status === 0
  }
  return false
}
