/* eslint-disable no-restricted-syntax -- runs on its own in the image, not inside a service */
// HEALTHCHECK of the service image: exit 0 when the service's /health/live answers 2xx within
// the time limit. Plain Node (the image has no curl). The port is the service's own *_PORT
// variable when set (e.g. INGESTION_PORT), else the image's SERVICE_PORT.
const service = process.env.SERVICE ?? '';
const portVariable = `${service.toUpperCase().replaceAll('-', '_')}_PORT`;
const port = process.env[portVariable] || process.env.SERVICE_PORT;

fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
