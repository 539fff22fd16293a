import { issueLines } from '@curation/config';
import {
  BadRequestException,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiBadRequest, ApiZodQuery } from '@curation/platform';
import { z } from 'zod';
import { ITEM_STATES, type ItemStatus } from './item-status';
import { ItemOperationsService } from './item-operations.service';
import { ItemStatusService } from './item-status.service';

const listQuery = z.union([
  z.strictObject({ workPackageId: z.coerce.number().int().positive() }),
  z.strictObject({
    state: z.enum(ITEM_STATES),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
]);

function parseItemId(itemId: string): string {
  if (!z.uuid().safeParse(itemId).success) throw new BadRequestException('itemId must be a UUID');
  return itemId;
}

@ApiTags('operations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  description: 'INGESTION_API_TOKEN is set and the bearer token is missing or wrong',
})
@Controller('v1/items')
export class ItemStatusController {
  constructor(
    private readonly status: ItemStatusService,
    private readonly operations: ItemOperationsService,
  ) {}

  /** `?state=failed[&limit=]`, or `?workPackageId=7614`: the items of that work package. */
  @Get()
  @ApiOperation({ summary: 'Items in a state, or the items of a work package' })
  @ApiZodQuery(listQuery)
  @ApiOkResponse({ description: '`{ items: [status] }`' })
  @ApiBadRequest('neither state nor workPackageId, or both')
  async list(@Query() query: Record<string, string>): Promise<{ items: ItemStatus[] }> {
    const parsed = listQuery.safeParse(query);
    if (!parsed.success) {
      throw new BadRequestException([
        'give either state (and limit) or workPackageId',
        ...issueLines(parsed.error, '(query)'),
      ]);
    }
    const items =
      'workPackageId' in parsed.data
        ? await this.status.findByWorkPackage(parsed.data.workPackageId)
        : await this.status.list(parsed.data.state, parsed.data.limit);
    return { items };
  }

  @Get(':itemId')
  @ApiOperation({ summary: 'Status of one item: stage, revision, outcome' })
  @ApiOkResponse({ description: 'The item status' })
  @ApiBadRequest('itemId is not a UUID')
  @ApiNotFoundResponse({ description: 'No such item' })
  async get(@Param('itemId') itemId: string): Promise<ItemStatus> {
    const status = await this.status.get(parseItemId(itemId));
    if (!status) throw new NotFoundException(`no item ${itemId}`);
    return status;
  }

  /** 202 with the status of the new attempt; 409 with the current status when not failed. */
  @Post(':itemId/retry')
  @ApiOperation({ summary: 'Run a failed item again from its first failed stage' })
  @ApiAcceptedResponse({ description: 'The status of the new attempt' })
  @ApiConflictResponse({
    description: 'The item is not failed (`status` holds its current status)',
  })
  @ApiNotFoundResponse({ description: 'No such item' })
  @HttpCode(HttpStatus.ACCEPTED)
  async retry(@Param('itemId') itemId: string): Promise<ItemStatus> {
    const outcome = await this.operations.retry(parseItemId(itemId));
    if (outcome.kind === 'unknown') throw new NotFoundException(`no item ${itemId}`);
    if (outcome.kind === 'conflict') {
      throw new ConflictException({
        statusCode: HttpStatus.CONFLICT,
        message: outcome.reason,
        status: outcome.status,
      });
    }
    return outcome.status;
  }

  /** Takedown: 202 `{itemId, revision}`; the status shows `removed` once it is done. */
  @Delete(':itemId')
  @ApiOperation({ summary: 'Takedown: remove the item from the index, the site and S3' })
  @ApiAcceptedResponse({
    description: '`{ itemId, revision }`; the status shows `removed` once done',
  })
  @ApiNotFoundResponse({ description: 'No such item' })
  @HttpCode(HttpStatus.ACCEPTED)
  async remove(@Param('itemId') itemId: string): Promise<{ itemId: string; revision: number }> {
    const outcome = await this.operations.remove(parseItemId(itemId));
    if (outcome.kind === 'unknown') throw new NotFoundException(`no item ${itemId}`);
    return { itemId: outcome.itemId, revision: outcome.revision };
  }
}
