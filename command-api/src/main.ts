import { runService } from '@reelay/platform';
import { startCommandApi } from './server';

runService('command-api', startCommandApi);
