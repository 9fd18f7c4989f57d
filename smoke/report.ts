/** What a smoke run reports, and how a person reads it. */
import type { SweepResult } from "./sweep";

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
    readonly id: string;
    readonly name: string;
    readonly status: CheckStatus;
    readonly ms: number;
    readonly detail: string;
    /** AWS calls and API requests made by the check, retries included. */
    readonly attempts: number;
    /** Steps that needed more than one attempt, and why. */
    readonly retried: { readonly step: string; readonly attempts: number; readonly on: string[] }[];
}

export interface SmokeReport {
    readonly stage: string;
    readonly runId: string;
    readonly ok: boolean;
    readonly checks: CheckResult[];
    /** Leftovers of earlier runs (never a reason for this run to fail). */
    readonly sweep: SweepResult;
    readonly cleanup: {
        readonly removed: string[];
        readonly failed: string[];
        /** Kept on purpose, recorded for a later run's sweep. */
        readonly deferred: string[];
        /** This run's record, when it is kept. */
        readonly record?: string;
        readonly attempts: number;
    };
    readonly ms: number;
}

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
