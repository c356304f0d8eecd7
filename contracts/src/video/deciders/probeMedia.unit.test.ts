import { describe, it } from '@jest/globals';
import { deciderSpec, events } from '../../testing/deciderSpec';
import { decideFinishProbe } from './probeMedia';

const spec = deciderSpec(decideFinishProbe);
const facts = events.probed().data.facts;

describe('finishing a probe', () => {
  const uploaded = [events.requested(), events.started(1), events.completed(1)];

  it('records the facts of an uploaded video', () => {
    spec.given(...uploaded).when({ facts }).thenEvents([events.probed()]);
  });

  it('records why an uploaded video’s container could not be read', () => {
    spec.given(...uploaded).when({ unreadable: 'not a container' }).thenEvents([{ type: 'MediaProbeFailed', data: { reason: 'not a container' } }]);
  });

  it('records nothing for a video probed already or deleted during the probe', () => {
    spec.given(...uploaded, events.probed()).when({ facts }).thenNothing();
    spec.given(...uploaded, events.deleted()).when({ facts }).thenNothing();
  });
});
