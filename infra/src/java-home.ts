import fs from 'node:fs';
import path from 'node:path';
import { findOnPath } from './processes';

export function javaHome(): string {
  const fromEnv = process.env.JAVA_HOME;
  if (fromEnv && fs.existsSync(path.join(fromEnv, 'bin', 'java'))) return fromEnv;
  const onPath = findOnPath('java');
  if (!onPath) throw new Error('java not found: install a Java 17 JDK or set JAVA_HOME');
  return path.resolve(fs.realpathSync(onPath), '..', '..');
}

export function javaBinary(): string {
  return path.join(javaHome(), 'bin', 'java');
}
