import { Controller, Get, Header, NotFoundException, Param, Query } from '@nestjs/common';
import { SearchService, type SearchResponse } from '../services/search.service';
import { itemIdParamSchema, searchQuerySchema, type SearchQueryDto } from './search-query.dto';
import { ZodValidationPipe } from './zod-validation.pipe';

@Controller('v1')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  @Get('search')
  search(
    @Query(new ZodValidationPipe(searchQuerySchema)) query: SearchQueryDto,
  ): Promise<SearchResponse> {
    return this.searchService.search(query);
  }

  @Get('items/:itemId/document')
  @Header('Content-Type', 'text/markdown; charset=utf-8')
  async document(
    @Param('itemId', new ZodValidationPipe(itemIdParamSchema)) itemId: string,
  ): Promise<string> {
    const markdown = await this.searchService.document(itemId);
    if (markdown === undefined)
      throw new NotFoundException(`item ${itemId} has no published document`);
    return markdown;
  }
}
