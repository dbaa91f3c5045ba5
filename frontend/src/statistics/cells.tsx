// How a count of the review's statistics is shown: a count, or why it is not (6). A cell
// under k never shows its count; the words follow the mark the API gives.
import type { Cell, Median } from './api';

export function cellText(cell: Pick<Cell, 'count' | 'mark'>, k: number): string {
  switch (cell.mark) {
    case 'shown':
      return cell.count === null ? '—' : String(cell.count);
    case 'fewer_than_k':
      return `fewer than ${k}`;
    case 'suppressed':
      return `hidden (${k} or more)`;
    case 'withheld':
      return 'withheld';
  }
}

export function CellValue({ cell, k }: { cell: Pick<Cell, 'count' | 'mark'>; k: number }) {
  const text = cellText(cell, k);
  return cell.mark === 'shown' ? <>{text}</> : <span className="muted">{text}</span>;
}

export function medianText(m: Median, k: number): string {
  if (m.median_days === null) return m.suppressed ? `not shown (fewer than ${k} complaints)` : '—';
  const days = Number.isInteger(m.median_days) ? String(m.median_days) : m.median_days.toFixed(1);
  return `${days} day${m.median_days === 1 ? '' : 's'}`;
}
