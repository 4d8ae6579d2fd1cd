import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiRole } from '../auth/api-client.entity';
import { Roles } from '../auth/roles.decorator';
import { Errors } from '../common/errors';
import type { HubRequest } from '../common/request-context';
import { ApplicationDeliveryService } from './application-delivery.service';

/**
 * BATCH delivery: GET /municipalities/:code/batches/:intakeMonth.csv with the municipality's key
 * (or an admin's). Columns: BATCH_COLUMNS in application-document.ts, described in
 * docs/delivery-formats.md. `?encoding=shift_jis` for local systems that cannot read UTF-8.
 */
@Controller('municipalities')
export class BatchController {
  constructor(private readonly delivery: ApplicationDeliveryService) {}

  @Roles(ApiRole.MUNICIPALITY, ApiRole.ADMIN)
  @Get(':code/batches/:file')
  async batch(@Param('code') code: string, @Param('file') file: string, @Query('encoding') encoding: string | undefined, @Req() req: HubRequest, @Res() res: Response) {
    const match = /^(\d{4}-\d{2})\.csv$/.exec(file);
    if (!match) throw Errors.notFound('Batch file', file, 'intakeMonth');
    if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'shift_jis') {
      throw Errors.badInput('encoding', 'encoding must be utf-8 (default) or shift_jis.', 'encoding は utf-8（既定）または shift_jis を指定してください。');
    }
    const result = await this.delivery.batchFile({ client: req.apiClient!, requestId: req.id ?? null }, code, match[1], encoding === 'shift_jis' ? 'shift_jis' : 'utf-8');
    res.setHeader('content-type', `text/csv; charset=${encoding === 'shift_jis' ? 'Shift_JIS' : 'utf-8'}`);
    res.setHeader('content-disposition', `attachment; filename="${result.fileName}"`);
    res.setHeader('x-row-count', String(result.rowCount));
    res.setHeader('cache-control', 'no-store');
    res.end(result.body);
  }
}
