import { periodRange } from '../domain/reports';
import { CaseFact, type FactRow } from '../models/case';

/** Dropouts confirmed in a report period (流失生: the monthly report and its export), in order. */
export function dropoutsIn(period: string, match: Record<string, unknown>): Promise<FactRow[]> {
  const { from, to } = periodRange(period);
  return CaseFact.find({ ...match, type: 'dropoutConfirmed', at: { $gte: from, $lt: to } })
    .sort({ at: 1 })
    .lean();
}
