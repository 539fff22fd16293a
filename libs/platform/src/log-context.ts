import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';

/**
 * Runs `work` with a logger that adds `bindings` (item id, trace id) to every line logged
 * inside it, as nestjs-pino does for an HTTP request.
 */
export function runWithLogContext<T>(
  bindings: Record<string, string | undefined>,
  work: () => Promise<T>,
): Promise<T> {
  const root = PinoLogger.root;
  if (!root) return work();
  return storage.run(new Store(root.child(bindings)), work);
}
