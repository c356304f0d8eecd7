import { runService } from '@reelay/platform';
import { startProjector } from './startProjector';

runService('projector', startProjector);
