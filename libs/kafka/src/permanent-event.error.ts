/** Thrown by a handler when retrying cannot help: the message goes straight to the dead-letter topic. */
export class PermanentEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentEventError';
  }
}
