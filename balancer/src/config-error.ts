/** A setting in the environment that the balancer cannot run with. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
