// 6: the figures the policy review is served by, for table officers and administrators:
// counts by period, class, outcome, stage, category, ground and recommendation, deadline
// adherence and median durations, every small count hidden; CSV and PDF of the same period.
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { Loading, Notice, PageHeading, ProblemAlert, fieldErrorsOf } from '../components/feedback';
import { TextField } from '../components/forms';
import { formatDate } from '../lib/dates';
import { downloadReport, useStatistics, type Period, type Report, type Table } from './api';
import { CellValue, medianText } from './cells';

/** The period form's own check, before asking the API. */
export function periodError(from: string, to: string): string | undefined {
  return from && to && to < from ? 'The end of the period must be on or after its start.' : undefined;
}

function PeriodForm({ report, period, onChange, apiError }: { report: Report | undefined; period: Period; onChange(p: Period): void; apiError: unknown }) {
  const [from, setFrom] = useState(period.from ?? report?.period_from ?? '');
  const [to, setTo] = useState(period.to ?? report?.period_to ?? '');
  const [tried, setTried] = useState(false);
  const api = fieldErrorsOf(apiError);
  const toError = (tried ? periodError(from, to) : undefined) ?? api.to ?? api['query.to'];
  const fromError = api.from ?? api['query.from'];
  function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (periodError(from, to)) return;
    onChange({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
  return (
    <form className="panel" onSubmit={submit} aria-label="Period" noValidate>
      <h2>Period</h2>
      <p className="hint">Complaints closed between these days, both included. Without dates: from the day after the last review held (or the policy’s implementation) to today.</p>
      <div className="grid-2">
        <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} error={fromError} />
        <TextField label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} error={toError} />
      </div>
      <div className="actions">
        <button type="submit">Show the report</button>
      </div>
    </form>
  );
}

function StatisticsTable({ table, k }: { table: Table; k: number }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{table.title}</caption>
        <thead>
          <tr>
            <th scope="col">{table.kind === 'multi' ? 'Code' : 'Value'}</th>
            <th scope="col">Complaints</th>
          </tr>
        </thead>
        <tbody>
          {table.cells.map((c) => (
            <tr key={c.key}>
              <th scope="row">{c.label}</th>
              <td>
                <CellValue cell={c} k={k} />
              </td>
            </tr>
          ))}
        </tbody>
        {table.total ? (
          <tfoot>
            <tr>
              <th scope="row">{table.total.label}</th>
              <td>
                <CellValue cell={table.total} k={k} />
              </td>
            </tr>
          </tfoot>
        ) : null}
      </table>
      {table.kind === 'multi' ? <p className="hint">A complaint is counted under each code it has, or under none: these do not add up to the total.</p> : null}
    </div>
  );
}

function Explanation({ k }: { k: number }) {
  return (
    <section className="panel" aria-labelledby="why-hidden">
      <h2 id="why-hidden">Why some counts are not shown</h2>
      <p>
        In a Local of our size a small count can point to a person. So no count under {k} is shown, zero included: such a cell
        reads <strong>“fewer than {k}”</strong>. Where a hidden count could be worked out from the totals or from another
        table, a larger count beside it is hidden too: it reads <strong>“hidden ({k} or more)”</strong>. A table with nothing
        left to show is <strong>withheld</strong>. Medians over fewer than {k} complaints are not shown.
      </p>
    </section>
  );
}

function Downloads({ period }: { period: Period }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  async function get(format: 'csv' | 'pdf') {
    setError(null);
    setBusy(format);
    try {
      await downloadReport(format, period);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }
  return (
    <section className="panel" aria-labelledby="downloads">
      <h2 id="downloads">Download this report</h2>
      <p className="hint">The same period and the same hidden counts: a spreadsheet, or a printable report for Central Council.</p>
      <ProblemAlert error={error} />
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void get('csv')} disabled={busy !== null}>
          {busy === 'csv' ? 'Preparing the CSV…' : 'Download the CSV'}
        </button>
        <button type="button" className="secondary" onClick={() => void get('pdf')} disabled={busy !== null}>
          {busy === 'pdf' ? 'Preparing the PDF…' : 'Download the PDF'}
        </button>
      </div>
    </section>
  );
}

export default function StatisticsPage() {
  const [params, setParams] = useSearchParams();
  const period: Period = { ...(params.get('from') ? { from: params.get('from')! } : {}), ...(params.get('to') ? { to: params.get('to')! } : {}) };
  const report = useStatistics(period);
  const r = report.data;
  const counts = r?.tables.filter((t) => !t.key.startsWith('deadline_')) ?? [];
  const deadlines = r?.tables.filter((t) => t.key.startsWith('deadline_')) ?? [];
  // The downloads cover the period shown, even when it is the API's default.
  const shown: Period = r ? { from: r.period_from, to: r.period_to } : period;
  return (
    <>
      <PageHeading title="Statistics">Statistics for the policy review (6)</PageHeading>
      <p>
        Figures that identify no one, from the coded facts each complaint leaves when it closes: no names, no narratives, no
        small counts.
      </p>
      <PeriodForm
        key={`${r?.period_from ?? ''}-${r?.period_to ?? ''}`}
        report={r}
        period={period}
        apiError={report.error}
        onChange={(p) => setParams(new URLSearchParams({ ...(p.from ? { from: p.from } : {}), ...(p.to ? { to: p.to } : {}) }))}
      />
      <ProblemAlert error={report.error} />
      {report.isPending ? <Loading what="the statistics" /> : null}
      {r ? (
        <>
          <section className="panel" aria-labelledby="summary">
            <h2 id="summary">
              Complaints closed from {formatDate(r.period_from)} to {formatDate(r.period_to)}
            </h2>
            {r.too_few ? (
              <Notice tone="warning">
                Fewer than {r.k} complaints closed in this period. To protect the people involved, nothing else is shown.
              </Notice>
            ) : (
              <p>
                <strong>{r.total}</strong> complaints closed in this period.
              </p>
            )}
          </section>
          <Explanation k={r.k} />
          {counts.length ? (
            <section className="panel" aria-labelledby="counts">
              <h2 id="counts">Counts</h2>
              {counts.map((t) => (
                <StatisticsTable key={t.key} table={t} k={r.k} />
              ))}
            </section>
          ) : null}
          {deadlines.length ? (
            <section className="panel" aria-labelledby="adherence">
              <h2 id="adherence">Deadline adherence</h2>
              <p className="hint">How each deadline of the procedure ended, among the complaints that had it.</p>
              {deadlines.map((t) => (
                <StatisticsTable key={t.key} table={t} k={r.k} />
              ))}
            </section>
          ) : null}
          {r.medians.length ? (
            <section className="panel" aria-labelledby="medians">
              <h2 id="medians">Median durations</h2>
              <div className="table-wrap">
                <table>
                  <caption>Median days between steps</caption>
                  <thead>
                    <tr>
                      <th scope="col">Step</th>
                      <th scope="col">Median</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.medians.map((m) => (
                      <tr key={m.step}>
                        <th scope="row">{m.label}</th>
                        <td className={m.median_days === null ? 'muted' : undefined}>{medianText(m, r.k)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ) : null}
          <Downloads period={shown} />
        </>
      ) : null}
    </>
  );
}
