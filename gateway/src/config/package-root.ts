import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the folder that holds package.json, from the folder of a module.
 * Relative data paths resolve from there rather than from the working
 * directory, because PM2, Jest and a person in a terminal all start the
 * processes from different places.
 */
export function findPackageRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));

  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      return process.cwd();
    }
    dir = parent;
  }

  return dir;
}

/** The package root of this project. */
export const packageRoot = findPackageRoot(import.meta.url);
