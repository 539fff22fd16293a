import type { OpenApiOptions } from '@curation/platform';

export const INGESTION_OPENAPI: OpenApiOptions = {
  title: 'ingestion',
  description:
    "Submissions, the OpenProject webhook and the operators' item routes. Every /v1 route needs `Authorization: Bearer <INGESTION_API_TOKEN>` when a token is set; this description itself is public.",
  version: '1',
  bearerAuth: 'INGESTION_API_TOKEN',
};
