/** The document of the app's API routes, as assets/openapi.json holds it (scripts/openapi.ts). */
import { join } from 'node:path';
import { apiRoutes } from '../../src/routes/api.ts';
import { CONTRACT } from './contract.ts';
import { buildDocument } from './document.ts';

export const OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'assets', 'openapi.json');

export const openApiText = () =>
  `${JSON.stringify(buildDocument(apiRoutes.routes, CONTRACT), null, 2)}\n`;
