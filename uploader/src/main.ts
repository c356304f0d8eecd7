import { runService } from '@reelay/platform';
import { startUploader } from './server';

runService('uploader', startUploader);
