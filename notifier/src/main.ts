import { runService } from '@reelay/platform';
import { startNotifier } from './startNotifier';

runService('notifier', startNotifier);
