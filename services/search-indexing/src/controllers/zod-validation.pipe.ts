import { issueLine } from '@curation/config';
import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** One line per problem, each naming its parameter; every unknown parameter on a line of its own. */
export function problemsOf(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${[...issue.path, key].join('.')}: unknown parameter`)
      : [issueLine(issue, 'value')],
  );
}

/** Turns a request part into the schema's type, or answers 400 naming every bad parameter. */
export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform {
  constructor(private readonly schema: Schema) {}

  transform(value: unknown): z.infer<Schema> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: problemsOf(result.error),
    });
  }
}
