/** Jest global setup: every run, alone or in `npm test`, tests the current source. */
import { ensureBuilt } from '../../dev/dist';

export default function globalSetup(): void {
  ensureBuilt();
}
