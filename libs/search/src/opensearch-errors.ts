/** The `error.type` OpenSearch answered with (`resource_already_exists_exception`, ...). */
export function openSearchErrorType(error: unknown): string | undefined {
  return (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
}

/** The HTTP status OpenSearch answered with (409 for a version conflict, 404, ...). */
export function openSearchStatus(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}

export function isAlreadyExists(error: unknown): boolean {
  return openSearchErrorType(error) === 'resource_already_exists_exception';
}
