import { runService } from '@reelay/platform';
import { startDemo } from './server';

runService('demo', startDemo);
