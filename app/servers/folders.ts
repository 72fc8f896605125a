// The server folders under app/servers/, found by name on disk: the build, the program and the
// stack settings read this list, so that adding a folder is all it takes to add a server.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { serverNameProblem } from '../contract';

export const SERVERS_DIR = __dirname;

/** Folders that share code between servers, not servers: their names start with `_` or `.`. */
const isShared = (name: string) => name.startsWith('_') || name.startsWith('.');

export class ServerFolderError extends Error {
  constructor(readonly problems: string[]) {
    super(`app/servers: ${problems.join('; ')}`);
    this.name = 'ServerFolderError';
  }
}

/**
 * The server names: the folders of `dir` that hold an index.ts, sorted. Throws one error naming every
 * folder whose name cannot name a server.
 */
export function listServerFolders(dir: string = SERVERS_DIR): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !isShared(e.name) && existsSync(path.join(dir, e.name, 'index.ts')))
    .map((e) => e.name)
    .sort();
  const problems = names.flatMap((n) => {
    const problem = serverNameProblem(n);
    return problem ? [`folder ${problem}`] : [];
  });
  if (problems.length) throw new ServerFolderError(problems);
  return names;
}
