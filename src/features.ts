import type { Dispatcher } from './chat/dispatch';
import type { Services } from './services';

/** Every feature (roster, ladder, reports…) registers its commands, cards and jobs here. */
export async function registerFeatures(_dispatcher: Dispatcher, _services: Services): Promise<void> {
  // Filled in by the roster and ladder features.
}
