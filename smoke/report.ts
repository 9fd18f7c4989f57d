import type { CheckResult, CheckStatus, SmokeReport } from "./smoke";

const MARK: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

/** The report as a table a person reads. */
export function formatReport(report: SmokeReport): string {
    const { sweep, cleanup } = report;
    const lines = [
        "",
        `Smoke checks of stage ${report.stage} (run ${report.runId}): ${report.ok ? "OK" : "FAILED"} in ${report.ms} ms`,
        "",
        "  #  result  time      tries  check",
        ...report.checks.map(
            (c) =>
                `  ${c.id}  ${MARK[c.status]}    ${`${c.ms} ms`.padEnd(9)} ${String(c.attempts).padEnd(6)} ${c.name}` +
                (c.status === "pass" && c.retried.length === 0 ? "" : `\n                           -> ${c.detail}`),
        ),
        "",
        `  earlier runs: swept ${sweep.removed.length}` +
            (sweep.failed.length ? `; could NOT sweep (left recorded for later runs): ${sweep.failed.join("; ")}` : "") +
            (sweep.skipped.length ? `; left alone: ${sweep.skipped.join("; ")}` : "") +
            (sweep.unrecorded.length ? `; smoke users in no record (an administrator must remove them): ${sweep.unrecorded.join(", ")}` : ""),
        `  cleanup: removed ${cleanup.removed.length} item(s)` +
            (cleanup.deferred.length ? `; kept for a later run's sweep: ${cleanup.deferred.join("; ")}` : "") +
            (cleanup.failed.length ? `; FAILED to remove: ${cleanup.failed.join("; ")}` : "") +
            (cleanup.record ? `; record kept at ${cleanup.record}` : ""),
    ];
    return lines.join("\n");
}

/** One line per finished check, printed as it happens. */
export function formatResult(result: CheckResult): string {
    return `[${MARK[result.status]}] ${result.id} ${result.name} (${result.ms} ms, ${result.attempts} tries)${result.status === "pass" && result.retried.length === 0 ? "" : ` -- ${result.detail}`}`;
}
