import {
  BadRequestException,
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBadRequest, ApiZodQuery, openApiSchemaOf } from '@curation/platform';
import { SearchService } from '../services/search.service';
import {
  itemIdParamSchema,
  searchQuerySchema,
  searchResponseSchema,
  suggestionsSchema,
  suggestQuerySchema,
  type SearchQueryDto,
  type SearchResponse,
  type Suggestion,
  type SuggestQueryDto,
} from './search-query.dto';
import { ZodValidationPipe } from './zod-validation.pipe';

@ApiTags('search')
@Controller('v1')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  @Get('search')
  @ApiOperation({
    summary: 'Full-text search with filters, facets and cursor paging',
    description:
      'Page with `nextCursor` (no depth limit) or with `from` (up to 10,000 hits deep), not both. A cursor only works with the q, filters and sort it was made for.',
  })
  @ApiZodQuery(searchQuerySchema)
  @ApiOkResponse({ schema: openApiSchemaOf(searchResponseSchema) })
  @ApiBadRequest(
    'an unknown or repeated parameter, a bad value, since after until, or a cursor of another query',
  )
  async search(
    @Query(new ZodValidationPipe(searchQuerySchema)) query: SearchQueryDto,
  ): Promise<SearchResponse> {
    const outcome = await this.searchService.search(query);
    if (outcome.kind === 'bad-cursor') {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: [`cursor: ${outcome.reason}`],
      });
    }
    return outcome.response;
  }

  @Get('suggest')
  @ApiOperation({
    summary: 'Titles for type-ahead',
    description:
      'Up to 10 titles whose words start with the words typed; fewer than 2 characters give `[]`.',
  })
  @ApiZodQuery(suggestQuerySchema)
  @ApiOkResponse({ schema: openApiSchemaOf(suggestionsSchema) })
  @ApiBadRequest('an unknown or repeated parameter')
  suggest(
    @Query(new ZodValidationPipe(suggestQuerySchema)) query: SuggestQueryDto,
  ): Promise<Suggestion[]> {
    return this.searchService.suggest(query.q);
  }

  @Get('items/:itemId/document')
  @Header('Content-Type', 'text/markdown; charset=utf-8')
  @ApiOperation({ summary: 'The published Markdown document of an item' })
  @ApiParam({ name: 'itemId', schema: openApiSchemaOf(itemIdParamSchema) })
  @ApiProduces('text/markdown')
  @ApiOkResponse({ description: 'YAML front matter, then the body', schema: { type: 'string' } })
  @ApiBadRequest('itemId is not a UUID')
  @ApiNotFoundResponse({ description: 'The item has no published document' })
  async document(
    @Param('itemId', new ZodValidationPipe(itemIdParamSchema)) itemId: string,
  ): Promise<string> {
    const markdown = await this.searchService.document(itemId);
    if (markdown === undefined)
      throw new NotFoundException(`item ${itemId} has no published document`);
    return markdown;
  }
}
