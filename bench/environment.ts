/** The environment the bench starts from: this process's, which its stack and children inherit. */
export function inheritedEnvironment(): Record<string, string | undefined> {
  // eslint-disable-next-line no-restricted-syntax -- the bench builds its stack's settings on top of the caller's environment
  return { ...process.env }
}
