import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiQuery,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { z } from 'zod';

export const OPENAPI_DOCUMENT_PATH = '/openapi.json';
export const OPENAPI_UI_PATH = '/docs';

export interface OpenApiOptions {
  title: string;
  description: string;
  version: string;
  /** Declares `Authorization: Bearer …`; routes opt in with `@ApiBearerAuth()`. */
  bearerAuth?: string;
}

/**
 * Serves the OpenAPI 3 document generated from the controllers at `/openapi.json` and Swagger UI
 * (with its assets) at `/docs`. Both are plain express routes, outside Nest's guards: the
 * description of the API is public; calling it is not. Call before `init`/`listen`: Nest's
 * not-found handler is registered at init and would answer for routes added later.
 */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version);
  if (options.bearerAuth) {
    builder.addBearerAuth({ type: 'http', scheme: 'bearer', description: options.bearerAuth });
  }
  // Built now, so a decorator mistake stops the start-up instead of the first request.
  const document = SwaggerModule.createDocument(app, builder.build());
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_DOCUMENT_PATH,
    raw: ['json'],
    customSiteTitle: options.title,
  });
  return document;
}

/** The JSON Schema of what a client sends (`io: input`: before defaults and coercion). */
export function openApiSchemaOf(schema: z.ZodType): SchemaObject {
  return z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    // Transforms and refinements have no JSON Schema: their input type stands for them.
    unrepresentable: 'any',
  }) as SchemaObject;
}

/** Every property of an object schema (or of a union of object schemas) as a query parameter. */
export function ApiZodQuery(schema: z.ZodType): MethodDecorator {
  const json = openApiSchemaOf(schema);
  const variants = (json.anyOf ?? json.oneOf ?? [json]) as SchemaObject[];
  const named = new Map<string, MethodDecorator>();
  for (const variant of variants) {
    for (const [name, property] of Object.entries(variant.properties ?? {})) {
      if (named.has(name)) continue;
      const { description, ...parameterSchema } = property as SchemaObject;
      named.set(
        name,
        ApiQuery({
          name,
          description,
          schema: parameterSchema,
          // In a union, no parameter is needed by every variant.
          required: variants.length === 1 && (variant.required ?? []).includes(name),
        }),
      );
    }
  }
  return applyDecorators(...named.values());
}

export function ApiZodBody(schema: z.ZodType, description?: string): MethodDecorator {
  return ApiBody({ schema: openApiSchemaOf(schema), description });
}

/** 400 with the validation messages, each naming its parameter. */
export function ApiBadRequest(when: string): MethodDecorator & ClassDecorator {
  return ApiBadRequestResponse({
    description: `${when}; \`message\` lists each problem as "<parameter>: <problem>"`,
    schema: {
      type: 'object',
      properties: {
        statusCode: { type: 'integer', example: 400 },
        error: { type: 'string', example: 'Bad Request' },
        message: { type: 'array', items: { type: 'string' } },
      },
    },
  });
}
