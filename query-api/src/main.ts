import { runService } from '@reelay/platform';
import { startQueryApi } from './server';

runService('query-api', startQueryApi);
