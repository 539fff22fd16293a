/** OpenProject did not answer usably (network error, timeout, 5xx, 429) within the retry budget. */
export class OpenProjectUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpenProjectUnavailableError';
  }
}

/** OpenProject answered with a status that retrying cannot change (401, 403, 400, ...). */
export class OpenProjectRequestError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    detail: string,
  ) {
    super(`OpenProject answered ${status} for ${url}${detail ? `: ${detail}` : ''}`);
    this.name = 'OpenProjectRequestError';
  }
}

/** A 2xx answer whose body is not the HAL representation expected. */
export class OpenProjectResponseError extends Error {
  constructor(url: string, problems: string[]) {
    super(`OpenProject answer from ${url} has an unexpected shape: ${problems.join('; ')}`);
    this.name = 'OpenProjectResponseError';
  }
}

/** A request that would carry the API key to another origin than OPENPROJECT_URL's (e.g. an absolute HAL href). */
export class OpenProjectOriginError extends Error {
  constructor(
    readonly url: string,
    readonly expectedOrigin: string,
  ) {
    super(
      `refusing to send the OpenProject API key to ${new URL(url).origin}: only ${expectedOrigin} (OPENPROJECT_URL) gets it`,
    );
    this.name = 'OpenProjectOriginError';
  }
}
